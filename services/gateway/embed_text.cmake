# cmake -DINPUT=file -DOUTPUT=file.cpp -DNAMESPACE=ns -DFUNCTION=name -P embed_text.cmake
# Writes a .cpp whose function returns the text of INPUT.
file(READ "${INPUT}" content)
string(FIND "${content}" ")vctp_embedded\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT}; do not edit.\n#include <string>\n\nnamespace ${NAMESPACE} {\n\n"
  "const std::string& ${FUNCTION}() {\n  static const std::string text = R\"vctp_embedded(${content})vctp_embedded\";\n"
  "  return text;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
