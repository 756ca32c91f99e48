# The web dashboard (web/): built with npm (Vite + TypeScript) when Node.js 18+ and npm are
# available, and embedded in yardstick_server as a generated source. Without them the server
# embeds no files and its pages say how to build the dashboard.
#   yardstick_dashboard_sources(<out-var>): the generated source to add to a target.
option(YARDSTICK_BUILD_DASHBOARD "Build the web dashboard with npm and embed it in the binary" ON)

set(YARDSTICK_WEB_DIR ${CMAKE_SOURCE_DIR}/web)
set(YARDSTICK_WEB_DIST ${CMAKE_BINARY_DIR}/web-dist)
set(YARDSTICK_DASHBOARD_BUILT OFF)
if(YARDSTICK_BUILD_DASHBOARD)
  find_program(YARDSTICK_NODE node)
  find_program(YARDSTICK_NPM npm)
  set(node_version "")
  if(YARDSTICK_NODE)
    execute_process(COMMAND ${YARDSTICK_NODE} --version OUTPUT_VARIABLE node_version
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    string(REGEX REPLACE "^v" "" node_version "${node_version}")
  endif()
  if(YARDSTICK_NPM AND node_version VERSION_GREATER_EQUAL 18)
    set(YARDSTICK_DASHBOARD_BUILT ON)
  else()
    message(WARNING "Node.js >= 18 and npm not found (node '${node_version}'): the web dashboard "
                    "is not built; `yardstick serve` will say so at /. Run scripts/install-deps.")
  endif()
endif()
# Visible to tests/ too.
set(YARDSTICK_DASHBOARD_BUILT ${YARDSTICK_DASHBOARD_BUILT} CACHE INTERNAL "the dashboard is embedded")

function(yardstick_dashboard_sources out_var)
  set(assets_cc ${CMAKE_CURRENT_BINARY_DIR}/dashboard_files_data.cc)
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/dashboard.stamp)
  if(YARDSTICK_DASHBOARD_BUILT)
    file(GLOB_RECURSE web_sources CONFIGURE_DEPENDS ${YARDSTICK_WEB_DIR}/src/*)
    add_custom_command(
      OUTPUT ${stamp}
      COMMAND ${CMAKE_COMMAND} -DWEB_DIR=${YARDSTICK_WEB_DIR} -DOUT_DIR=${YARDSTICK_WEB_DIST}
              -DNPM=${YARDSTICK_NPM} -DSTAMP=${stamp}
              -P ${CMAKE_SOURCE_DIR}/cmake/build_dashboard.cmake
      DEPENDS ${web_sources} ${YARDSTICK_WEB_DIR}/index.html ${YARDSTICK_WEB_DIR}/package.json
              ${YARDSTICK_WEB_DIR}/package-lock.json ${YARDSTICK_WEB_DIR}/vite.config.ts
              ${YARDSTICK_WEB_DIR}/tsconfig.json ${CMAKE_SOURCE_DIR}/cmake/build_dashboard.cmake
      COMMENT "Building the web dashboard (npm ci, npm run build)"
      USES_TERMINAL
      VERBATIM)
  else()
    add_custom_command(
      OUTPUT ${stamp}
      COMMAND ${CMAKE_COMMAND} -E remove_directory ${YARDSTICK_WEB_DIST}
      COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
      COMMENT "The web dashboard is not built"
      VERBATIM)
  endif()
  add_custom_command(
    OUTPUT ${assets_cc}
    COMMAND ${CMAKE_COMMAND} -DDIR=${YARDSTICK_WEB_DIST} -DOUTPUT=${assets_cc}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_dir.cmake
    DEPENDS ${stamp} ${CMAKE_SOURCE_DIR}/cmake/embed_dir.cmake
    COMMENT "Embedding the web dashboard"
    VERBATIM)
  set(${out_var} ${assets_cc} PARENT_SCOPE)
endfunction()
