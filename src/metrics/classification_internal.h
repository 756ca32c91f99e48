#pragma once
// INTERNAL HEADER - NOT PUBLIC API. Shared helpers of classification.cc and
// classification_ranking.cc (label reprs, label-kind checks, encoding, input validation, numpy
// reductions, warnings). Only those files may include it; the public interface is
// metrics/classification.h.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "metrics/classification.h"

namespace yardstick::metrics::internal {

inline constexpr char kUndefinedMetricWarning[] = "UndefinedMetricWarning";
inline constexpr char kUserWarning[] = "UserWarning";

// Python repr() of a label, for messages.
std::string Repr(const Label& label);
std::string ReprList(std::span<const Label> labels);

std::string KindName(bool integer);

// Checks that all labels of a sequence have one kind; returns it (true = integer).
Result<bool> KindOf(std::span<const Label> labels, const char* name);

Result<void> CheckLengths(std::size_t n_true, std::size_t n_other, const char* other);

// Sorted unique labels of one or two sequences (numpy's np.unique order), and each element's
// index among them.
void EncodeSequences(std::span<const Label> a, std::span<const Label> b, bool integer,
                     std::vector<Label>& classes, std::vector<std::uint32_t>& codes_a,
                     std::vector<std::uint32_t>& codes_b);

// Checks that user-given labels have the data's kind.
Result<void> CheckLabelKinds(std::span<const Label> labels, bool integer, const char* option);

// Appends a warning unless an identical one is already present.
void AddWarning(std::vector<MetricWarning>& warnings, const char* category, std::string message);

// Python repr() of an `average` option value.
std::string AverageRepr(Average average);

// Mean of a float64 array (np.mean / np.average without weights).
double NumpyMean(std::span<const double> values);

// np.average(values, weights=weights).
double NumpyWeightedAverage(std::span<const double> values, std::span<const std::int64_t> weights);
double NumpyWeightedAverage(std::span<const double> values, std::span<const double> weights);

}  // namespace yardstick::metrics::internal
