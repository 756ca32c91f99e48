#pragma once
// The template language of webhook notifiers: JSON text with {{placeholders}}.
//
//   {"ticket": {"subject": "Escalation: {{document.rule.name}}", "conversation":
//    {{document.conversation_id}}, "messages": {{document.messages}}}}
//
// - A placeholder is `{{ path }}`: a root variable, then `.key` steps into objects (or `.0` into
//   arrays). Roots: kind, notifier, idempotency_key, summary, project, status, group_key, alerts,
//   document, created_at (docs/notifications.md lists what each holds).
// - Where a JSON value may stand, the placeholder becomes the value's JSON (a string is quoted,
//   an object stays an object). Inside a JSON string it becomes the value's text, escaped for
//   the string (strings without their quotes, other values as their JSON).
// - A path that leads nowhere renders as null (or as nothing inside a string).
// - Parse() rejects unclosed placeholders, bad paths, unknown roots, and text that would not be
//   JSON once the placeholders are filled in; the message names the line and column in the
//   template.
//
// Thread safety: a parsed Template is immutable; Render may be called from many threads.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::notify {

class Template {
 public:
  // kInvalidArgument with "line L, column C of the template: <what>" on error.
  static Result<Template> Parse(std::string_view text);

  // The body for `vars` (an object with the root variables). Always valid JSON when every
  // placeholder's value is (nlohmann values always are).
  std::string Render(const nlohmann::json& vars) const;

  // The root variables a template may use.
  static const std::vector<std::string>& Roots();

 private:
  struct Segment {
    std::string literal;            // text, when path is empty
    std::vector<std::string> path;  // placeholder path
    bool in_string = false;         // placeholder inside a JSON string literal
    size_t offset = 0;              // where the segment starts in the template text
  };
  // Rendering that also records, per segment, where its output starts (for error mapping).
  std::string RenderWithOffsets(const nlohmann::json& vars, std::vector<size_t>* starts) const;

  std::vector<Segment> segments_;
};

}  // namespace yardstick::notify
