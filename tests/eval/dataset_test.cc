// Datasets (JSONL, CSV) and their validation reports.
#include "eval/dataset.h"

#include <gtest/gtest.h>

#include "eval/validation.h"

namespace yardstick::eval {
namespace {

bool HasProblem(const std::vector<Problem>& problems, std::size_t line, const std::string& severity,
                const std::string& fragment) {
  for (const auto& p : problems) {
    if (p.line == line && p.severity == severity && p.message.find(fragment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string Dump(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += FormatProblem(p) + "\n";
  return out;
}

TEST(Csv, QuotedFieldsHoldCommasNewlinesAndQuotes) {
  auto records =
      ParseCsv("a,b,c\r\n\"x, y\",\"line1\nline2\",\"say \"\"hi\"\"\"\r\nplain,,end\n", "t.csv");
  ASSERT_TRUE(records) << records.error().message();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].fields, (std::vector<std::string>{"x, y", "line1\nline2", "say \"hi\""}));
  EXPECT_EQ((*records)[1].line, 2u);
  EXPECT_EQ((*records)[2].line, 4u);  // the quoted newline moved it down a line
  EXPECT_EQ((*records)[2].fields, (std::vector<std::string>{"plain", "", "end"}));
}

TEST(Csv, NothingIsTrimmedAndTheLastLineNeedsNoNewline) {
  auto records = ParseCsv("a,b\n  x , y  ", "t.csv");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].fields, (std::vector<std::string>{"  x ", " y  "}));
}

TEST(Csv, SyntaxErrorsNameLineAndColumn) {
  auto unterminated = ParseCsv("a,b\n1,\"open\n2,3\n", "t.csv");
  ASSERT_FALSE(unterminated);
  EXPECT_NE(unterminated.error().message().find("t.csv:2:3: unterminated quoted field"),
            std::string::npos)
      << unterminated.error().message();
  auto stray = ParseCsv("a,b\n1,x\"y\n", "t.csv");
  ASSERT_FALSE(stray);
  EXPECT_NE(stray.error().message().find("t.csv:2:4: quote inside an unquoted field"),
            std::string::npos)
      << stray.error().message();
  auto after = ParseCsv("a,b\n\"1\"x,2\n", "t.csv");
  ASSERT_FALSE(after);
  EXPECT_NE(after.error().message().find("t.csv:2:4: unexpected text after a closing quote"),
            std::string::npos)
      << after.error().message();
}

TEST(Dataset, CsvRowsWithTheWrongFieldCountOrBadUtf8AreProblemsNotCrashes) {
  const std::string text = "id,question\n1,fine\n2,too,many\n3,\"bad \xff byte\"\n4,ok\n";
  Dataset d = ParseDataset(text, "d.csv", DatasetFormat::kCsv);
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_EQ(d.examples[1].line, 5u);
  EXPECT_EQ(d.examples[1].fields["question"], "ok");
  EXPECT_TRUE(HasProblem(d.problems, 3, "error", "expected 2 fields")) << Dump(d.problems);
  EXPECT_TRUE(HasProblem(d.problems, 4, "error", "invalid UTF-8 in column 'question'"))
      << Dump(d.problems);
}

TEST(Dataset, JsonlProblemsCarryTheirLine) {
  const std::string text =
      "{\"id\": 1, \"q\": \"a\"}\n"
      "\n"
      "{\"id\": 2, \"q\": \n"
      "[1, 2]\n"
      "{\"id\": 3, \"q\": \"\xc3\x28\"}\n"
      "{\"id\": 4, \"q\": \"d\"}\r\n";
  Dataset d = ParseDataset(text, "d.jsonl", DatasetFormat::kJsonl);
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_EQ(d.examples[0].line, 1u);
  EXPECT_EQ(d.examples[1].line, 6u);
  EXPECT_EQ(d.blank_lines, 1u);
  EXPECT_TRUE(HasProblem(d.problems, 3, "error", "malformed JSON")) << Dump(d.problems);
  EXPECT_TRUE(HasProblem(d.problems, 4, "error", "expected a JSON object per line, got array"));
  EXPECT_TRUE(HasProblem(d.problems, 5, "error", "invalid UTF-8"));
  EXPECT_EQ(d.columns, (std::vector<std::string>{"id", "q"}));
}

TEST(Validation, ReportsEveryKindOfProblemWithItsLine) {
  const std::string text =
      "{\"id\": \"a\", \"question\": \"What?\", \"answer\": \"x\", \"lang\": \"en\", \"n\": 1}\n"
      "{\"id\": \"b\", \"answer\": \"x\", \"lang\": \"en\", \"n\": 2}\n"
      "{\"id\": \"c\", \"question\": 5, \"answer\": [\"x\", \"y\"], \"lang\": \"en\", \"n\": 1.5}\n"
      "{\"id\": \"a\", \"question\": \"dup id\", \"answer\": \"x\", \"lang\": \"de\", \"n\": 3}\n"
      "{\"id\": null, \"question\": \"\", \"answer\": null}\n"
      "{\"id\": \"e\", \"question\": \"What?\", \"answer\": \"x\", \"lang\": \"en\", \"n\": 1}\n"
      "{\"id\": \"f\", \"question\": \"" +
      std::string(60, 'z') +
      "\", \"answer\": \"x\", \"lang\": \"en\", \"n\": 4}\n"
      "{\"id\": \"e\", \"question\": \"What?\", \"answer\": \"x\", \"lang\": \"en\", \"n\": 1}\n";
  Dataset d = ParseDataset(text, "v.jsonl", DatasetFormat::kJsonl);
  Schema schema;
  schema.fields = {{"question", FieldType::kString, true},
                   {"answer", FieldType::kStringOrList, true},
                   {"n", FieldType::kInteger, false}};
  schema.id_field = "id";
  schema.max_input_chars = 50;
  schema.label_field = "lang";
  schema.min_label_share = 0.2;
  ValidationReport r = ValidateDataset(d, schema);
  const std::string all = Dump(r.problems);
  EXPECT_EQ(r.rows, 8u);
  EXPECT_TRUE(HasProblem(r.problems, 2, "error", "missing required field 'question'")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 3, "error", "field 'question': expected string, got a number"))
      << all;
  EXPECT_TRUE(HasProblem(r.problems, 3, "error", "field 'n': expected integer")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 4, "error", "duplicate id 'a' (first on line 1)")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 5, "error", "empty row")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 6, "warning", "duplicate row: identical to line 1")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 8, "warning", "duplicate row: identical to line 1")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 7, "error", "60 characters long: expected at most 50")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 8, "error", "duplicate id 'e' (first on line 6)")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 0, "warning", "label 'de' of field 'lang' is rare")) << all;
  ASSERT_EQ(r.label_distribution.size(), 2u);
  EXPECT_EQ(r.label_distribution[0], (std::pair<std::string, std::size_t>{"en", 6}));
  EXPECT_EQ(r.errors(), 7u) << all;
}

TEST(Validation, CsvValuesAreTypeCheckedOnTheirText) {
  Dataset d = ParseDataset("id,score,flag\n1,0.5,true\n2,abc,yes\n3,,false\n", "t.csv",
                           DatasetFormat::kCsv);
  Schema schema;
  schema.fields = {{"score", FieldType::kNumber, true}, {"flag", FieldType::kBoolean, true}};
  ValidationReport r = ValidateDataset(d, schema);
  const std::string all = Dump(r.problems);
  EXPECT_TRUE(HasProblem(r.problems, 3, "error", "field 'score': expected number")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 3, "error", "field 'flag': expected boolean")) << all;
  EXPECT_TRUE(HasProblem(r.problems, 4, "error", "missing required field 'score'")) << all;
  EXPECT_EQ(r.errors(), 3u) << all;
}

TEST(Validation, OneLabelEverywhereIsAWarning) {
  Dataset d =
      ParseDataset("{\"l\":\"x\"}\n{\"l\":\"x\",\"k\":1}\n", "t.jsonl", DatasetFormat::kJsonl);
  Schema schema;
  schema.label_field = "l";
  ValidationReport r = ValidateDataset(d, schema);
  EXPECT_TRUE(HasProblem(r.problems, 0, "warning", "has one value in every row"))
      << Dump(r.problems);
  EXPECT_EQ(r.errors(), 0u);
}

}  // namespace
}  // namespace yardstick::eval
