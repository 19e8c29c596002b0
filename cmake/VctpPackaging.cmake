# DEB and RPM packages of vctp: `cpack -G DEB` and `cpack -G RPM` in a build tree (both by default).
#   /usr/bin/vctp-{collector,aggregator,reporter,gateway}  stripped
#   /usr/share/vctp/web                                    the gateway's web UI (found beside bin/)
#   /etc/dtms/vctp.yml                                     the settings: a conffile (DEB) and
#                                                          %config(noreplace) (RPM), kept on upgrade
#   /etc/default/vctp                                      the units' environment (secrets), likewise
#   /lib/systemd/system (DEB) or /usr/lib/systemd/system (RPM): vctp.service and the four
#                                                          vctp-<service>.service of deploy/systemd
#   /usr/lib/vctp/vctp-setup                               folders, permissions and certificate,
#                                                          run by the maintainer scripts
# The maintainer scripts are in deploy/packaging/deb and deploy/packaging/rpm. Only the programs and
# the web UI have install() rules; the rest is added to cpack's staging tree by
# deploy/packaging/stage.cmake, so that `cmake --install` into a prefix stays what it was.
# Checked by the deploy.packages test (tests/deploy/packages).

set(VCTP_PACKAGE_CONTACT "vctp maintainers <vctp-maintainers@example.org>"
    CACHE STRING "Maintainer named in the DEB and RPM packages")
set(vctp_packaging_dir ${PROJECT_SOURCE_DIR}/deploy/packaging)

# /etc/dtms/vctp.yml: config/vctp.yml, the reference of every setting, with the paths of an
# installed system. Made at configure time (and again whenever config/vctp.yml changes), so the
# packaged file never drifts from the reference; a key missing from the reference stops the build.
set(vctp_packaged_paths
  database_url=/var/lib/vctp/db.sqlite3
  reports_dir=/var/lib/vctp/reports
  tls_cert_filename=/etc/dtms/vctp.crt
  tls_key_filename=/etc/dtms/vctp.key)
set(vctp_reference_settings ${PROJECT_SOURCE_DIR}/config/vctp.yml)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${vctp_reference_settings})
file(READ ${vctp_reference_settings} vctp_settings_text)
foreach(pair IN LISTS vctp_packaged_paths)
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 key)
  list(GET pair 1 value)
  string(REGEX MATCHALL "\n  ${key}: [^\n]*\n" found "${vctp_settings_text}")
  list(LENGTH found count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "${vctp_reference_settings}: expected one line '  ${key}: ...' under settings:, found ${count}")
  endif()
  string(REGEX REPLACE "\n  ${key}: [^\n]*\n" "\n  ${key}: ${value}\n" vctp_settings_text "${vctp_settings_text}")
endforeach()
string(PREPEND vctp_settings_text
"# /etc/dtms/vctp.yml, installed by the vctp package and kept on upgrade. It is config/vctp.yml
# with the paths of an installed system: the SQLite database and the reports in /var/lib/vctp,
# the gateway's certificate and key in /etc/dtms. Secrets (vcenter_password, nats_password) are
# better set in /etc/default/vctp as VCTP_VCENTER_PASSWORD=... (only root can read it); the
# services cannot write this file, so a plaintext password here is not encrypted.
#
")
set(vctp_packaged_settings ${CMAKE_BINARY_DIR}/packaging/vctp.yml)
if(EXISTS ${vctp_packaged_settings})
  file(READ ${vctp_packaged_settings} previous)
else()
  set(previous "")
endif()
if(NOT previous STREQUAL vctp_settings_text)
  file(WRITE ${vctp_packaged_settings} "${vctp_settings_text}")
endif()

# What every package gets.
set(CPACK_PACKAGE_NAME vctp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR vctp)
set(CPACK_PACKAGE_CONTACT "${VCTP_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "vSphere chargeback tracking: VM inventory snapshots, summaries, reports, REST API")
set(CPACK_PACKAGE_DESCRIPTION
"vctp takes an inventory snapshot of every VM in every configured vCenter each hour, rolls the
hours up into daily and monthly summaries, applies the chargeback rules, writes XLSX reports and
serves everything over a REST API, a web UI, Prometheus metrics and NATS. Four services
(vctp-collector, vctp-aggregator, vctp-reporter, vctp-gateway) run as systemd units grouped by
vctp.service; they talk over NATS JetStream and share a SQLite or PostgreSQL database.")
set(CPACK_GENERATOR DEB RPM)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${vctp_packaging_dir}/stage.cmake)
set(CPACK_VCTP_SOURCE_DIR ${PROJECT_SOURCE_DIR})
set(CPACK_VCTP_SETTINGS_FILE ${vctp_packaged_settings})

# DEB: vctp_<version>_<arch>.deb. The libraries' packages from dpkg-shlibdeps; adduser and openssl
# for the postinst; NATS may run elsewhere, so nats-server is only recommended.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, openssl")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nats-server")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${vctp_packaging_dir}/deb/conffiles
  ${vctp_packaging_dir}/deb/postinst
  ${vctp_packaging_dir}/deb/prerm
  ${vctp_packaging_dir}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# RPM: vctp-<version>-<release>.<arch>.rpm, not relocatable. The libraries by rpmbuild's automatic
# requirements; the scriptlets' tools named; nats-server recommended (CPack 3.25 has no variable
# for Recommends:, and drops its Suggests: after a faulty probe of rpm, so the tag is added to the
# spec's preamble directly).
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_PACKAGE_AUTOREQ yes)
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_PACKAGE_REQUIRES_POST "openssl")
# No /usr/lib/.build-id links: there is no debuginfo package for them to point into.
set(CPACK_RPM_SPEC_MORE_DEFINE "Recommends: nats-server\n%define _build_id_links none")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RPM_USER_FILELIST
  "%attr(0640,root,vctp) %config(noreplace) /etc/dtms/vctp.yml"
  "%config(noreplace) /etc/default/vctp")
# Folders of the system the package must not claim.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /etc/default /usr/lib/systemd /usr/lib/systemd/system)
set(CPACK_RPM_PRE_INSTALL_SCRIPT_FILE ${vctp_packaging_dir}/rpm/pre)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${vctp_packaging_dir}/rpm/post)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${vctp_packaging_dir}/rpm/preun)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${vctp_packaging_dir}/rpm/postun)

include(CPack)
