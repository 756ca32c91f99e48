# Builds the web dashboard: `npm ci` when web/node_modules is missing or older than
# package-lock.json, then `npm run build` (type check and Vite) into OUT_DIR.
#   cmake -DWEB_DIR=<web> -DOUT_DIR=<dir> -DNPM=<npm> -DSTAMP=<file> -P build_dashboard.cmake
# Build directories share web/node_modules, so a lock serializes them.
file(LOCK "${WEB_DIR}/.build.lock" GUARD PROCESS TIMEOUT 600)
set(installed "${WEB_DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${installed}" OR "${WEB_DIR}/package-lock.json" IS_NEWER_THAN "${installed}")
  message(STATUS "dashboard: npm ci")
  execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
                  WORKING_DIRECTORY "${WEB_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dashboard: `npm ci` in ${WEB_DIR} failed (${rc}); the npm registry must be "
                        "reachable, or configure with -DYARDSTICK_BUILD_DASHBOARD=OFF")
  endif()
  file(TOUCH "${installed}")
endif()
execute_process(COMMAND "${NPM}" run --silent build -- --outDir "${OUT_DIR}" --emptyOutDir
                        --logLevel warn
                WORKING_DIRECTORY "${WEB_DIR}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "dashboard: `npm run build` in ${WEB_DIR} failed (${rc})")
endif()
file(TOUCH "${STAMP}")
