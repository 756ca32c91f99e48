// Annotation templates: variables, labels, functions and load-time errors.
#include <gtest/gtest.h>

#include "alerts/alerts.h"

namespace yardstick::alerts {
namespace {

std::string Render(std::string_view text, const TemplateData& data) {
  auto t = Template::Parse(text);
  EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message());
  return t ? t->Render(data) : "";
}

TEST(AlertTemplate, VariablesAndLabels) {
  TemplateData d;
  d.labels = {{"model", "gpt-4o"}, {"project", "shop"}};
  d.numbers = {{"value", 2.3456789}, {"threshold", 2}};
  d.strings = {{"rule", "HighLatency"}, {"window", "5m"}};
  EXPECT_EQ(
      Render("p95 {{ $value }}s on {{ $labels.model }} (> {{$threshold}}s over {{ $window }})", d),
      "p95 2.34568s on gpt-4o (> 2s over 5m)");
  EXPECT_EQ(Render("{{ $rule }} in {{ $labels.project }}", d), "HighLatency in shop");
  // Missing values print as nothing; text without actions is kept as is.
  EXPECT_EQ(Render("[{{ $p_value }}][{{ $labels.route }}]", d), "[][]");
  EXPECT_EQ(Render("plain } text {", d), "plain } text {");
}

TEST(AlertTemplate, Functions) {
  TemplateData d;
  d.numbers = {{"value", 1234567}, {"ratio", 0}, {"p_value", 0.0123}, {"n", 0.00042}};
  EXPECT_EQ(Render("{{ $value | humanize }}", d), "1.235M");
  EXPECT_EQ(Render("{{ $n | humanize }}", d), "420u");
  EXPECT_EQ(Render("{{ $p_value | humanizePercentage }}", d), "1.23%");
  EXPECT_EQ(Render("{{ $p_value | printf \"%.3f\" }}", d), "0.012");
  EXPECT_EQ(Render("{{ $value | printf \"v=%08.1f!\" }}", d), "v=1234567.0!");
  d.numbers["value"] = 3725.5;
  EXPECT_EQ(Render("{{ $value | humanizeDuration }}", d), "1h 2m 5.5s");
  d.numbers["value"] = 0.25;
  EXPECT_EQ(Render("{{ $value | humanizeDuration }}", d), "250ms");
}

TEST(AlertTemplate, ErrorsNameTheProblemAndPlace) {
  EXPECT_EQ(*TemplateProblem("p95 {{ $value"), "unclosed {{ (at offset 4)");
  EXPECT_TRUE(
      TemplateProblem("{{ $vaule }}")->starts_with("unknown variable $vaule (at offset 0)"));
  EXPECT_EQ(*TemplateProblem("x {{ value }}"),
            "expected a variable such as $value or $labels.model in {{ }}, got \"value\" (at "
            "offset 2)");
  EXPECT_EQ(*TemplateProblem("{{ $labels. }}"),
            "expected a label name after $labels., got \"\" (at offset 0)");
  EXPECT_TRUE(TemplateProblem("{{ $value | upper }}")->starts_with("unknown function \"upper\""));
  EXPECT_TRUE(TemplateProblem("{{ $value | printf \"%s\" }}")->starts_with("printf takes"));
  EXPECT_TRUE(TemplateProblem("{{ $value | printf \"%f %f\" }}")->starts_with("printf takes"));
  EXPECT_TRUE(TemplateProblem("{{ $value | printf \"%n\" }}")->starts_with("printf takes"));
  EXPECT_EQ(*TemplateProblem("{{ $value | humanize 3 }}"),
            "humanize takes no argument (at offset 0)");
  EXPECT_FALSE(TemplateProblem("no actions at all").has_value());
  EXPECT_FALSE(TemplateProblem("{{ $labels.model }} {{ $value | printf \"%.1f%%\" }}").has_value());
}

}  // namespace
}  // namespace yardstick::alerts
