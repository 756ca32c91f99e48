# Redaction and pricing throughput on the ingest path (see the top of redact_bench.cc).
add_executable(redact_bench ${CMAKE_CURRENT_LIST_DIR}/redact_bench.cc)
target_link_libraries(redact_bench PRIVATE yardstick_redact yardstick_pricing benchmark::benchmark)
yardstick_add_warnings(redact_bench)
