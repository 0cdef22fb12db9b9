// Normalisation layers: PyTorch's registration order, running-statistics bookkeeping and reprs,
// over the functional forms.
#include "torchlite/nn/normalization.h"

#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"
#include "torchlite/printing.h"

namespace torchlite::nn {

namespace {
const char* py_bool(bool b) { return b ? "True" : "False"; }
}  // namespace

BatchNormImplBase::BatchNormImplBase(int64_t num_features, const BatchNormOptions& options)
    : num_features(num_features),
      eps(options.eps),
      momentum(options.momentum),
      affine(options.affine),
      track_running_stats(options.track_running_stats) {
  TL_CHECK(num_features >= 0, "BatchNorm: num_features must be non-negative, got ", num_features);
  if (affine) {
    weight = register_parameter("weight", empty({num_features}));
    bias = register_parameter("bias", empty({num_features}));
  }
  if (track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}));
    running_var = register_buffer("running_var", ones({num_features}));
    num_batches_tracked = register_buffer("num_batches_tracked", scalar_tensor(0, kInt64));
  }
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!track_running_stats) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (!affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor BatchNormImplBase::forward(const Tensor& input) {
  check_input_dim(input);
  double factor = momentum.value_or(0.0);
  if (is_training() && track_running_stats) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    if (!momentum) factor = 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
  }
  // Batch statistics in training, and in eval when none are tracked; the running ones are only
  // passed where they are read or updated.
  const bool bn_training = is_training() || (!running_mean.defined() && !running_var.defined());
  const bool pass_running = !is_training() || track_running_stats;
  return functional::batch_norm(
      input, pass_running ? running_mean : Tensor(), pass_running ? running_var : Tensor(),
      {.weight = weight, .bias = bias, .training = bn_training, .momentum = factor, .eps = eps});
}

std::string BatchNormImplBase::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + format_python_float(eps) +
         ", momentum=" + (momentum ? format_python_float(*momentum) : "None") +
         ", affine=" + py_bool(affine) + ", track_running_stats=" + py_bool(track_running_stats);
}

void BatchNorm1dImpl::check_input_dim(const Tensor& input) const {
  TL_CHECK(input.dim() == 2 || input.dim() == 3, "expected 2D or 3D input (got ", input.dim(),
           "D input)");
}

void BatchNorm2dImpl::check_input_dim(const Tensor& input) const {
  TL_CHECK(input.dim() == 4, "expected 4D input (got ", input.dim(), "D input)");
}

LayerNormImpl::LayerNormImpl(std::vector<int64_t> normalized_shape, const LayerNormOptions& options)
    : normalized_shape(std::move(normalized_shape)),
      eps(options.eps),
      elementwise_affine(options.elementwise_affine) {
  if (elementwise_affine) {
    const Sizes shape(this->normalized_shape.begin(), this->normalized_shape.end());
    weight = register_parameter("weight", empty(shape));
    bias = register_parameter("bias", empty(shape));
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!elementwise_affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return functional::layer_norm(input, normalized_shape,
                                {.weight = weight, .bias = bias, .eps = eps});
}

std::string LayerNormImpl::extra_repr() const {
  std::string shape = "(";
  for (size_t i = 0; i < normalized_shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(normalized_shape[i]);
  shape += normalized_shape.size() == 1 ? ",)" : ")";
  return shape + ", eps=" + format_python_float(eps) +
         ", elementwise_affine=" + py_bool(elementwise_affine);
}

GroupNormImpl::GroupNormImpl(int64_t num_groups, int64_t num_channels,
                             const GroupNormOptions& options)
    : num_groups(num_groups), num_channels(num_channels), eps(options.eps), affine(options.affine) {
  TL_CHECK(num_groups != 0, "integer division or modulo by zero");
  TL_CHECK(num_channels % num_groups == 0, "num_channels must be divisible by num_groups");
  if (affine) {
    weight = register_parameter("weight", empty({num_channels}));
    bias = register_parameter("bias", empty({num_channels}));
  }
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (!affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  return functional::group_norm(input, num_groups, {.weight = weight, .bias = bias, .eps = eps});
}

std::string GroupNormImpl::extra_repr() const {
  return std::to_string(num_groups) + ", " + std::to_string(num_channels) +
         ", eps=" + format_python_float(eps) + ", affine=" + py_bool(affine);
}

}  // namespace torchlite::nn
