# cpack's pre-build script (CPACK_PRE_BUILD_SCRIPTS, set in cmake/VctpPackaging.cmake). cpack has
# installed the programs and the web UI into its staging tree; this adds the files of an installed
# system that `cmake --install` leaves out (so that an install into a prefix, as the container
# image build does, gets only /usr/bin and /usr/share/vctp):
#   <unit dir>/vctp.service, vctp-*.service   /lib/systemd/system (DEB), /usr/lib/systemd/system (RPM)
#   /etc/dtms/vctp.yml          0640, the settings (made at configure time from config/vctp.yml)
#   /etc/default/vctp           0600, the units' environment
#   /usr/lib/vctp/vctp-setup    0755, run by the maintainer scripts
# and gives every folder of the tree mode 0755 whatever the umask of the build.
set(root "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
if(CPACK_GENERATOR STREQUAL "DEB")
  set(unit_dir lib/systemd/system)
elseif(CPACK_GENERATOR STREQUAL "RPM")
  set(unit_dir usr/lib/systemd/system)
else()
  message(FATAL_ERROR "vctp packages: no layout for the cpack generator '${CPACK_GENERATOR}' (DEB, RPM)")
endif()
if(NOT IS_DIRECTORY "${root}/usr/bin")
  message(FATAL_ERROR "vctp packages: the staging tree ${root} has no usr/bin")
endif()

# file(INSTALL) puts $DESTDIR in front of the destination; cpack has set it for its own install.
set(saved_destdir "$ENV{DESTDIR}")
set(ENV{DESTDIR} "")
set(src "${CPACK_VCTP_SOURCE_DIR}")
file(GLOB units "${src}/deploy/systemd/*.service")
file(INSTALL ${units} DESTINATION "${root}/${unit_dir}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ MESSAGE_NEVER)
file(INSTALL "${CPACK_VCTP_SETTINGS_FILE}" DESTINATION "${root}/etc/dtms"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ MESSAGE_NEVER)
file(INSTALL "${src}/deploy/packaging/vctp.default" DESTINATION "${root}/etc/default" RENAME vctp
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE MESSAGE_NEVER)
file(INSTALL "${src}/deploy/packaging/vctp-setup" DESTINATION "${root}/usr/lib/vctp"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE
     MESSAGE_NEVER)
set(ENV{DESTDIR} "${saved_destdir}")

file(GLOB_RECURSE entries LIST_DIRECTORIES true "${root}/*")
foreach(entry IN LISTS entries)
  if(IS_DIRECTORY "${entry}" AND NOT IS_SYMLINK "${entry}")
    file(CHMOD "${entry}" DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                                WORLD_READ WORLD_EXECUTE)
  endif()
endforeach()
