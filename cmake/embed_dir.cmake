# Writes a C++ source holding every file under a directory, for embedding the built dashboard.
#   cmake -DDIR=<dir> -DOUTPUT=<file.cc> -P embed_dir.cmake
# defines yardstick::server::internal::kDashboardFiles[] ({"/path", bytes, size}) and
# kDashboardFileCount (src/server/dashboard_files.h). A missing or empty DIR gives no files.
set(files "")
if(IS_DIRECTORY "${DIR}")
  file(GLOB_RECURSE files RELATIVE "${DIR}" "${DIR}/*")
  list(FILTER files EXCLUDE REGEX "(^|/)\\.")
  list(SORT files)
endif()
set(body "")
set(table "")
set(count 0)
foreach(rel IN LISTS files)
  file(READ "${DIR}/${rel}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])"
         "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "// ${rel}\nconst unsigned char kFile${count}[] = {\n${bytes}0x00};\n\n")
  string(APPEND table "    {\"/${rel}\", kFile${count}, ${size}},\n")
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  set(table "    {nullptr, nullptr, 0},\n")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${DIR} by embed_dir.cmake; do not edit.\n"
  "#include \"server/dashboard_files.h\"\n\n"
  "namespace yardstick::server::internal {\n\n"
  "namespace {\n\n${body}}  // namespace\n\n"
  "const EmbeddedFile kDashboardFiles[] = {\n${table}};\n"
  "const size_t kDashboardFileCount = ${count};\n\n"
  "}  // namespace yardstick::server::internal\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
