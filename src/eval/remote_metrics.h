#pragma once
// Metrics that call an endpoint: LLM-as-judge, perplexity (completions with echo + logprobs) and
// semantic similarity (embeddings, cosine). Internal to the eval module.
//
// judge               options: rubric (required), n (judgments per example, default 1),
//                     min/max (the score scale, default 1..5), and the endpoint (base_url,
//                     model, api_key_env, temperature; default: the target's). The judge sees
//                     the rubric, the prompt, the reference(s) and the output, and is asked to
//                     end with "Score: <number>". ExtractJudgeScore reads the score; a call that
//                     fails or a reply without a readable score in range is a failed judgment,
//                     counted in judge_failures. The example's value is the mean of its
//                     successful judgments; an example with none is not scored (and named).
// perplexity          options: text ("reference", default, or "output"), endpoint as above.
//                     Sends {prompt: text, echo: true, logprobs: 1, max_tokens: 0,
//                     temperature: 0}; token_logprobs[0] (null, no context) is dropped, and so
//                     are trailing entries beyond the echoed text (a server that generated a
//                     token anyway). Rows [sum of logprobs, tokens].
// semantic_similarity options: model and endpoint as above. Embeds the output and the first
//                     reference in one /embeddings request; value = cosine similarity.
//
// Thread safety: calls run on worker threads; each function returns when all are done.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "eval/eval.h"
#include "eval/openai_client.h"

namespace yardstick::eval {

std::optional<Error> CheckRemoteMetricSpec(const MetricSpec& spec);

Result<MetricColumn> ScoreRemoteMetric(const MetricSpec& spec,
                                       std::span<const ExampleResult> examples, const Suite& suite,
                                       const RunOptions& options, Run& run);

// A client for `endpoint`, reading the API key from its environment variable (an error names
// the variable when it is set in the suite but empty in the environment).
Result<std::unique_ptr<OpenAiClient>> MakeClient(
    const EndpointSpec& endpoint, const std::string& cache_dir,
    const std::function<void(std::chrono::duration<double>)>& sleep);

// The score in a judge's reply: a JSON object's "score", else the last "score: X" / "rating: X"
// (any case, optional markdown), else the last "X/max" or "X out of max", else a reply that is
// just a number. nullopt when none is found or it is outside [min, max].
std::optional<double> ExtractJudgeScore(const std::string& reply, double min, double max);

}  // namespace yardstick::eval
