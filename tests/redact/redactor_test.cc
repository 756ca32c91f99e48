#include "redact/redactor.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace yardstick::redact {
namespace {

const Redactor& Default() {
  static const Redactor* r = [] {
    auto created = Redactor::Create({});
    EXPECT_TRUE(created.has_value());
    return new Redactor(*std::move(created));
  }();
  return *r;
}

std::string Redacted(std::string text) {
  Counts counts;
  Default().Redact(text, counts);
  return text;
}

// Checks UTF-8 well-formedness independently of the module (RFC 3629 ranges).
bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, min = 0x10000;
    } else {
      return false;
    }
    unsigned cp = c & (0x3Fu >> n);
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

struct Case {
  std::string in;
  std::string out;
};

void ExpectAll(const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(Redacted(c.in), c.out) << "input: " << c.in;
}

void ExpectUnchanged(const std::vector<std::string>& texts) {
  for (const std::string& t : texts) EXPECT_EQ(Redacted(t), t) << "input: " << t;
}

// --- e-mail ------------------------------------------------------------------------------------

TEST(RedactEmail, Redacts) {
  ExpectAll({
      {"john.doe@example.com", "[REDACTED:email]"},
      {"write to a+tag@sub.domain.co.uk today", "write to [REDACTED:email] today"},
      {"o'brien@example.ie", "[REDACTED:email]"},
      {"User_1@EXAMPLE.ORG.", "[REDACTED:email]."},
      {"<bob@example.com>", "<[REDACTED:email]>"},
      {"mailto:alice@example.com", "mailto:[REDACTED:email]"},
      {"x@y.io,z@w.io", "[REDACTED:email],[REDACTED:email]"},
      {"first-last@my-company.example", "[REDACTED:email]"},
  });
}

TEST(RedactEmail, LeavesNonAddresses) {
  ExpectUnchanged({
      "@username",
      "ping me @ noon",
      "foo@bar",
      "user@localhost",
      "a@b.c",
      "name @ example.com",
      "price: 3@4.99",
      "x@y.c0m",
  });
}

// --- phone ---------------------------------------------------------------------------------------

TEST(RedactPhone, Redacts) {
  ExpectAll({
      {"+1 (555) 123-4567", "[REDACTED:phone]"},
      {"+1-555-123-4567", "[REDACTED:phone]"},
      {"call +44 20 7946 0958 now", "call [REDACTED:phone] now"},
      {"+44 (0)20 7946 0958", "[REDACTED:phone]"},
      {"+33612345678", "[REDACTED:phone]"},
      {"+49 30 1234567", "[REDACTED:phone]"},
      {"(555) 123-4567", "[REDACTED:phone]"},
      {"(020) 7946 0958", "[REDACTED:phone]"},
      {"555-123-4567", "[REDACTED:phone]"},
      {"555.123.4567", "[REDACTED:phone]"},
      {"555 123 4567", "[REDACTED:phone]"},
      {"06 12 34 56 78", "[REDACTED:phone]"},
      {"1-800-555-0199", "[REDACTED:phone]"},
      {"030 1234567", "[REDACTED:phone]"},
      {"0171-1234567", "[REDACTED:phone]"},
      {"Call 555-123-4567 2 times", "Call [REDACTED:phone] 2 times"},
      {"(555-123-4567)", "([REDACTED:phone])"},
      {"phone: 555-123-4567.", "phone: [REDACTED:phone]."},
  });
}

TEST(RedactPhone, LeavesNumbersThatAreNotPhones) {
  ExpectUnchanged({
      "2024",
      "in 2024 and 2025",
      "Order #123456789",
      "order 12345678 shipped",
      "ts=1700000000",
      "2024-01-15",
      "on 15.01.2024 at noon",
      "1-15-2024",
      "2024-01-15 10:30:45",
      "2024-01-15T10:30:00Z",
      "1.000.000 users",
      "1 000 000 users",
      "12 345 678",
      "$1,299.99",
      "1299.99 EUR",
      "10:30:45",
      "555-1234",
      "scores 10 20 30 40",
      "ids 10 20 30 40 50 60 70 80 90",
      "11-22-33-44-55-66-77-88",
      "2019 2020 2021",
      "version 1.2.3",
      "pi is 3.14159265",
      "1-2-3",
      "12-34-56",
      "ISSUE-1234567",
      "id_5551234567",
      "5551234567",
  });
}

// --- cards ---------------------------------------------------------------------------------------

TEST(RedactCard, RedactsLuhnValidNumbers) {
  ExpectAll({
      {"4111 1111 1111 1111", "[REDACTED:card]"},
      {"4111-1111-1111-1111", "[REDACTED:card]"},
      {"card 4111111111111111 exp 12/29", "card [REDACTED:card] exp 12/29"},
      {"5555 5555 5555 4444", "[REDACTED:card]"},
      {"3782 822463 10005", "[REDACTED:card]"},
      {"6011111111111117", "[REDACTED:card]"},
      {"4012888888881881", "[REDACTED:card]"},
      {"4222222222222", "[REDACTED:card]"},        // 13 digits
      {"6304000000000000000", "[REDACTED:card]"},  // 19 digits
      {"30569309025904", "[REDACTED:card]"},       // Diners, 14 digits
      {"2223003122003222", "[REDACTED:card]"},     // Mastercard 2-series
      {"4111111111111111110", "[REDACTED:card]"},  // 19 digits
      {"4111 1111 1111 1111 2025", "[REDACTED:card] 2025"},
  });
}

TEST(RedactCard, LeavesOtherNumbers) {
  ExpectUnchanged({
      "4111 1111 1111 1112",   // Luhn fails
      "4111111111111112",      // Luhn fails
      "5555 5555 5555 4440",   // Luhn fails
      "6011-1111-1111-1115",   // Luhn fails
      "1234567812345670",      // Luhn passes, but no card network starts with 1
      "1780000000006",         // Luhn passes, starts with 1 (a Unix time in ms)
      "4111 1111-1111 1111",   // mixed separators
      "411111111111",          // 12 digits
      "41111111111111111111",  // 20 digits
  });
}

// --- IP addresses
// ---------------------------------------------------------------------------------

TEST(RedactIp, RedactsV4) {
  ExpectAll({
      {"192.168.1.1", "[REDACTED:ip]"},
      {"from 10.0.0.1:8080", "from [REDACTED:ip]:8080"},
      {"255.255.255.255", "[REDACTED:ip]"},
      {"0.0.0.0", "[REDACTED:ip]"},
      {"host 8.8.8.8.", "host [REDACTED:ip]."},
      {"net 10.0.0.0/8", "net [REDACTED:ip]/8"},
      // A version number shaped like an address is redacted: the two cannot be told apart.
      {"version 1.2.3.4", "version [REDACTED:ip]"},
  });
}

TEST(RedactIp, RedactsV6) {
  ExpectAll({
      {"2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[REDACTED:ip]"},
      {"2001:db8::1", "[REDACTED:ip]"},
      {"::1", "[REDACTED:ip]"},
      {"fe80::1ff:fe23:4567:890a", "[REDACTED:ip]"},
      {"::ffff:192.0.2.128", "[REDACTED:ip]"},
      {"[2001:db8::1]:443", "[[REDACTED:ip]]:443"},
      {"fe80::", "[REDACTED:ip]"},
      {"1:2:3:4:5:6:7:8", "[REDACTED:ip]"},
  });
}

TEST(RedactIp, LeavesNonAddresses) {
  ExpectUnchanged({
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.5",
      "v1.2.3.4",
      "01.02.03.04",
      "12:30:45",
      "std::vector<int>",
      "dead::beef",
      "00:1a:2b:3c:4d:5e",
      "::",
      "a::b",
  });
}

// --- secrets -----------------------------------------------------------------------------------

TEST(RedactSecret, RedactsProviderKeys) {
  ExpectAll({
      {"key sk-abcdefghijklmnopqrstuvwx1234", "key [REDACTED:secret]"},
      {"sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", "[REDACTED:secret]"},
      {"sk-ant-api03-AbCdEf0123456789_xyz-QWERTY", "[REDACTED:secret]"},
      {"AKIAIOSFODNN7EXAMPLE", "[REDACTED:secret]"},
      {"ASIAIOSFODNN7EXAMPLE.", "[REDACTED:secret]."},
      {"ghp_0123456789abcdefghijABCDEFGHIJ012345", "[REDACTED:secret]"},
      {"gho_0123456789abcdefghijABCDEFGHIJ012345", "[REDACTED:secret]"},
      {"github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "[REDACTED:secret]"},
      {"xoxb-1234567890-abcdefghij", "[REDACTED:secret]"},
      {"xoxp-1234-5678-abcdef", "[REDACTED:secret]"},
      {"AIzaSyA-1234567890abcdefghijklmnopqrstu", "[REDACTED:secret]"},
      {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
       "XgL0n3I9PlFUP0THsR8U",
       "[REDACTED:secret]"},
      {"Authorization: Bearer abcDEF123456ghiJKL7890.xyz",
       "Authorization: Bearer [REDACTED:secret]"},
      {"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0123456789abcdef\n-----END RSA PRIVATE "
       "KEY----- done",
       "[REDACTED:secret] done"},
  });
}

TEST(RedactSecret, RedactsLabelledValues) {
  ExpectAll({
      {"api_key=Zx81kd0Qm2Lp9vTt", "api_key=[REDACTED:secret]"},
      {"\"apiKey\": \"Zx81kd0Qm2Lp9vTt\"", "\"apiKey\": \"[REDACTED:secret]\""},
      {"X-Api-Key: 9f8e7d6c5b4a3f2e1d0c", "X-Api-Key: [REDACTED:secret]"},
      {"access_token=ya29a0AfH6SMBx3kZ&x=1", "access_token=[REDACTED:secret]&x=1"},
      {"client_secret: 'Gx7Pq2Lm9Wz4Rt1Y'", "client_secret: '[REDACTED:secret]'"},
      {"password: hunter2", "password: [REDACTED:secret]"},
      {"PASSWORD=correcthorsebatterystaple", "PASSWORD=[REDACTED:secret]"},
      {"my pwd: s3cr3t!.", "my pwd: [REDACTED:secret]."},
      {"Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED:secret]"},
  });
}

TEST(RedactSecret, LeavesOrdinaryText) {
  ExpectUnchanged({
      "sk-short",
      "the task-force-of-the-year meeting",
      "AKIA is not a key",
      "the bearer of bad news",
      "The key: remember to save",
      "token: the_quick_brown_fox_jumps",
      "monkey = banana",
      "secret: aaaaaaaaaaaaaaaa",
      "a very-long-hyphenated-compound-word-indeed",
      "https://example.com/path/to/some/resource",
  });
}

// --- national ids ------------------------------------------------------------------------------

TEST(RedactNationalId, RedactsSsn) {
  ExpectAll({
      {"123-45-6789", "[REDACTED:national_id]"},
      {"SSN 078-05-1120.", "SSN [REDACTED:national_id]."},
      {"ssn:899-99-9999", "ssn:[REDACTED:national_id]"},
  });
}

TEST(RedactNationalId, LeavesInvalidRangesAlone) {
  // Invalid SSNs are not phones either.
  ExpectUnchanged({
      "000-12-3456",
      "666-12-3456",
      "900-12-3456",
      "999-12-3456",
      "123-00-4567",
      "123-45-0000",
  });
}

// --- behaviour ---------------------------------------------------------------------------------

TEST(Redactor, EmptyAndPiiFreeTextIsUntouched) {
  Counts counts;
  std::string empty;
  EXPECT_EQ(Default().Redact(empty, counts), 0u);
  EXPECT_EQ(empty, "");
  std::string plain =
      "Thanks for reaching out! I checked your order and it shipped on Monday; it should arrive "
      "within 3 business days. Let me know if there's anything else I can help with.";
  const std::string before = plain;
  EXPECT_EQ(Default().Redact(plain, counts), 0u);
  EXPECT_EQ(plain, before);
  EXPECT_EQ(counts.total, 0u);
  EXPECT_TRUE(counts.by_kind.empty());
}

TEST(Redactor, CountsByKind) {
  Counts counts;
  std::string text =
      "Mail a@example.com or b@example.org, call 555-123-4567, card 4111 1111 1111 1111, "
      "from 10.1.2.3";
  EXPECT_EQ(Default().Redact(text, counts), 5u);
  EXPECT_EQ(text,
            "Mail [REDACTED:email] or [REDACTED:email], call [REDACTED:phone], card "
            "[REDACTED:card], from [REDACTED:ip]");
  EXPECT_EQ(counts.total, 5u);
  EXPECT_EQ(counts.by_kind.at("email"), 2u);
  EXPECT_EQ(counts.by_kind.at("phone"), 1u);
  EXPECT_EQ(counts.by_kind.at("card"), 1u);
  EXPECT_EQ(counts.by_kind.at("ip"), 1u);
  EXPECT_EQ(counts.by_kind.count("secret"), 0u);

  Counts more;
  std::string t2 = "ssn 123-45-6789 and x@y.io";
  EXPECT_EQ(Default().Redact(t2, more), 2u);
  counts.Add(more);
  EXPECT_EQ(counts.total, 7u);
  EXPECT_EQ(counts.by_kind.at("email"), 3u);
  EXPECT_EQ(counts.by_kind.at("national_id"), 1u);
}

TEST(Redactor, OverlapsGoToTheEarliestThenLongestMatch) {
  // The phone-shaped local part is inside the address: one e-mail, no phone.
  Counts counts;
  std::string text = "555-123-4567@example.com";
  EXPECT_EQ(Default().Redact(text, counts), 1u);
  EXPECT_EQ(text, "[REDACTED:email]");
  EXPECT_EQ(counts.by_kind.at("email"), 1u);
  // A card number as a password value: the secret detector comes first.
  EXPECT_EQ(Redacted("password=4111111111111111"), "password=[REDACTED:secret]");
  // An address that is also an IP in an e-mail-like string: the IP is found, not an e-mail.
  EXPECT_EQ(Redacted("root@192.168.0.1"), "root@[REDACTED:ip]");
}

TEST(Redactor, KeepsUtf8Intact) {
  ExpectAll({
      {"Привет, напишите на ivan@example.ru 🙂",
       "Привет, напишите на [REDACTED:email] 🙂"},
      {"日本語555-123-4567日本語", "日本語[REDACTED:phone]日本語"},
      {"café 192.168.0.1 naïve", "café [REDACTED:ip] naïve"},
      {"password: pässwört€ ok", "password: [REDACTED:secret] ok"},
  });
  for (std::string s : {"password: pässwört€", "日本語555-123-4567日本語", "é@example.com"}) {
    Counts c;
    Default().Redact(s, c);
    EXPECT_TRUE(ValidUtf8(s)) << s;
  }
}

TEST(Redactor, InvalidUtf8InputStillRedactsAndDoesNotCrash) {
  Options options;
  options.custom.push_back({"word", "ü+", ""});
  auto r = Redactor::Create(options);
  ASSERT_TRUE(r.has_value());
  std::string text = "bad \xff\xfe bytes, call 555-123-4567, \xc3 trailing üü";
  Counts counts;
  r->Redact(text, counts);
  EXPECT_EQ(text, "bad \xff\xfe bytes, call [REDACTED:phone], \xc3 trailing [REDACTED:word]");
}

TEST(Redactor, CustomPatterns) {
  Options options;
  options.custom.push_back({"employee_id", R"(\bEMP-\d{6}\b)", ""});
  options.custom.push_back({"ticket", R"(TICKET-[A-Z]{3})", "<ticket>"});
  options.custom.push_back({"surname", "(?i)müller", ""});
  auto r = Redactor::Create(options);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  Counts counts;
  std::string text = "EMP-123456 filed TICKET-ABC and TICKET-XYZ about MÜLLER; EMP-12345 is short";
  EXPECT_EQ(r->Redact(text, counts), 4u);
  EXPECT_EQ(text,
            "[REDACTED:employee_id] filed <ticket> and <ticket> about [REDACTED:surname]; "
            "EMP-12345 is short");
  EXPECT_EQ(counts.by_kind.at("employee_id"), 1u);
  EXPECT_EQ(counts.by_kind.at("ticket"), 2u);
  EXPECT_EQ(counts.by_kind.at("surname"), 1u);
}

TEST(Redactor, CustomPatternsMatchWholeCharactersAndSkipEmptyMatches) {
  Options options;
  options.email = options.phone = options.card = options.ip = options.secret = false;
  options.national_id = false;
  options.custom.push_back({"any", "é|x+", "_"});
  options.custom.push_back({"empty", "q*", ""});
  auto r = Redactor::Create(options);
  ASSERT_TRUE(r.has_value());
  std::string text = "aéxx🙂";
  Counts counts;
  r->Redact(text, counts);
  EXPECT_EQ(text, "a__🙂");
  EXPECT_TRUE(ValidUtf8(text));
  EXPECT_EQ(counts.total, 2u);
}

TEST(Redactor, BadCustomPatternsAreErrors) {
  Options options;
  options.custom.push_back({"ok", "abc", ""});
  options.custom.push_back({"broken", "abc(def", ""});
  auto r = Redactor::Create(options);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("'broken'"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("offset 7"), std::string::npos) << r.error().message();

  Options unnamed;
  unnamed.custom.push_back({"", "abc", ""});
  auto u = Redactor::Create(unnamed);
  ASSERT_FALSE(u.has_value());
  EXPECT_NE(u.error().message().find("expected a name"), std::string::npos);

  Options bad_escape;
  bad_escape.custom.push_back({"esc", R"(\k)", ""});
  EXPECT_FALSE(Redactor::Create(bad_escape).has_value());
}

TEST(Redactor, DisabledDetectorsAndDisabledRedactor) {
  Options no_email;
  no_email.email = false;
  auto r = Redactor::Create(no_email);
  ASSERT_TRUE(r.has_value());
  std::string text = "a@example.com 555-123-4567";
  Counts counts;
  r->Redact(text, counts);
  EXPECT_EQ(text, "a@example.com [REDACTED:phone]");

  Options off;
  off.enabled = false;
  auto none = Redactor::Create(off);
  ASSERT_TRUE(none.has_value());
  std::string same = "a@example.com 555-123-4567";
  EXPECT_EQ(none->Redact(same, counts), 0u);
  EXPECT_EQ(same, "a@example.com 555-123-4567");
  model::Batch batch;
  batch.calls.emplace_back().input_text = "a@example.com";
  none->RedactBatch(batch, counts);
  EXPECT_EQ(batch.calls[0].input_text, "a@example.com");
}

TEST(Redactor, RedactBatchTouchesFreeTextOnly) {
  model::Batch batch;
  model::Call& call = batch.calls.emplace_back();
  call.id = "a@example.com";
  call.user_id = "u@example.com";
  call.input_text = "my email is x@example.com";
  call.output_text = "I will call 555-123-4567";
  call.attributes = {{"client.ip", "10.0.0.7"}, {"user@example.com", "plain"}};
  model::Score& score = batch.scores.emplace_back();
  score.comment = "reach me at s@example.com";
  score.label = "x@example.com";
  score.attributes = {{"note", "card 4111111111111111"}};
  model::Outcome& outcome = batch.outcomes.emplace_back();
  outcome.attributes = {{"contact", "+44 20 7946 0958"}};

  Counts counts;
  Default().RedactBatch(batch, counts);
  EXPECT_EQ(call.id, "a@example.com");
  EXPECT_EQ(call.user_id, "u@example.com");
  EXPECT_EQ(call.input_text, "my email is [REDACTED:email]");
  EXPECT_EQ(call.output_text, "I will call [REDACTED:phone]");
  EXPECT_EQ(call.attributes[0].second, "[REDACTED:ip]");
  EXPECT_EQ(call.attributes[1].first, "user@example.com");
  EXPECT_EQ(score.comment, "reach me at [REDACTED:email]");
  EXPECT_EQ(score.label, "x@example.com");
  EXPECT_EQ(score.attributes[0].second, "card [REDACTED:card]");
  EXPECT_EQ(outcome.attributes[0].second, "[REDACTED:phone]");
  EXPECT_EQ(counts.total, 6u);
  EXPECT_EQ(counts.by_kind.at("email"), 2u);
  EXPECT_EQ(counts.by_kind.at("phone"), 2u);
}

// Inputs built to make a backtracking matcher or a rescanning loop quadratic. Each must finish
// (quickly: the suite would time out otherwise) with the expected result.
TEST(Redactor, AdversarialInputsStayLinear) {
  auto repeat = [](const std::string& s, size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (size_t i = 0; i < n; ++i) out += s;
    return out;
  };
  struct Input {
    std::string text;
    size_t replacements;
  };
  const std::vector<Input> inputs = {
      {repeat("-----BEGIN PRIVATE KEY-----", 4000), 0},
      {"-----END PRIVATE KEY-----" + repeat("-----BEGIN PRIVATE KEY----- aaaa ", 3000), 0},
      {repeat("a@", 50000), 0},
      {repeat("x", 100000) + "@example.com", 0},
      {repeat("1 ", 50000), 0},
      {repeat("11 ", 30000), 0},
      {repeat("1", 100000), 0},
      {repeat("4111 ", 20000), 0},
      {repeat("1.", 50000), 0},
      {repeat("1:", 50000), 0},
      {repeat("a:", 50000) + " ::1", 1},
      {"password: " + repeat(".", 100000), 0},
      {repeat("api_key=", 10000), 0},
      {repeat("sk-", 30000), 1},  // shaped like one long key
      {repeat("Bearer ", 10000), 0},
      {repeat("x@y.io ", 10000), 10000},
      {repeat("call 555-123-4567 ", 5000), 5000},
  };
  for (const Input& in : inputs) {
    std::string text = in.text;
    Counts counts;
    EXPECT_EQ(Default().Redact(text, counts), in.replacements) << in.text.substr(0, 40);
  }
}

TEST(Redactor, CopiesShareTheSamePatternsAndAreUsableFromManyThreads) {
  const Redactor copy = Default();
  const std::string input =
      "Contact ann@example.com or +1 (555) 123-4567; server 10.2.3.4; card 5555 5555 5555 4444; "
      "token ghp_0123456789abcdefghijABCDEFGHIJ012345";
  std::string expected = input;
  Counts reference;
  copy.Redact(expected, reference);
  ASSERT_EQ(reference.total, 5u);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        std::string s = input;
        Counts c;
        (t % 2 ? copy : Default()).Redact(s, c);
        if (s != expected || c.total != 5) ++mismatches[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace yardstick::redact
