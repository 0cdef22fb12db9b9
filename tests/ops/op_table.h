// The one table of ops compared with PyTorch: a new op is one line here, then
// `/usr/bin/python3 tools/gen_ops_fixtures.py` (which reads this file) refreshes
// tests/fixtures/ops/ops.json from real PyTorch.
//
// Each entry drives, from the same line: forward values and dtype, the grad_fn name and the input
// gradients against torch (tests/ops/test_ops_vs_torch.cpp), and a finite-difference gradcheck
// (tests/autograd/test_autograd.cpp) for the float64 cases.
//   SAME(name, inputs, expr)         expr is both the torchlite and the torch expression
//   TORCH(name, inputs, torch, expr) torch's text differs (a Python string)
// `inputs` is Python run by the generator (t(*shape, dtype=, grad=, positive=, ints=, scale=)
// draws a tensor, kinks() gives points on the activations' kinks; see tools/gen_ops_fixtures.py);
// `expr` reads them as x[0], x[1], ... Values match torch
// within rtol = atol = 1e-10 (float64) or 1e-5 (float32), never bit for bit: libm and BLAS may
// round the last bits differently on another machine.
#pragma once

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "torchlite/ops/activation.h"
#include "torchlite/ops/loss.h"
#include "torchlite/ops/softmax.h"
#include "torchlite/tensor.h"

namespace op_table {

namespace tl = torchlite;
using Inputs = std::vector<tl::Tensor>;

struct OpCase {
  std::string name;
  std::string inputs;  // Python, for the generator
  std::string torch;   // Python, for the generator
  std::function<tl::Tensor(const Inputs&)> run;
};

/// x * k with the generator just seeded with 7 (the random in-place cases draw after it).
inline tl::Tensor seeded_copy(const tl::Tensor& x, double k) {
  tl::manual_seed(7);
  return x * k;
}

/// x after the in-place op f(x) ran on it: the table's in-place cases on temporaries.
template <class F>
tl::Tensor on_copy(tl::Tensor x, F f) {
  f(x);
  return x;
}

#define SAME(name, inputs, ...)                                             \
  OpCase {                                                                  \
    name, inputs, #__VA_ARGS__, [](const Inputs& x) { return __VA_ARGS__; } \
  }
#define TORCH(name, inputs, torch, ...)                              \
  OpCase {                                                           \
    name, inputs, torch, [](const Inputs& x) { return __VA_ARGS__; } \
  }

// clang-format off
inline const std::vector<OpCase> kOps = {
    SAME("add", "t(3, 4), t(3, 4)", x[0] + x[1]),
    SAME("add_broadcast", "t(2, 3, 4), t(4)", x[0] + x[1]),
    SAME("add_broadcast_both", "t(3, 1), t(1, 4)", x[0] + x[1]),
    TORCH("add_alpha", "t(3), t(3)", "x[0].add(x[1], alpha=2.5)", x[0].add(x[1], 2.5)),
    SAME("add_scalar", "t(2, 3)", x[0] + 1.5),
    SAME("sub", "t(2, 3), t(2, 3)", x[0] - x[1]),
    SAME("sub_broadcast", "t(2, 3), t(2, 1)", x[0] - x[1]),
    SAME("rsub_scalar", "t(4)", 2.0 - x[0]),
    SAME("mul", "t(3, 4), t(3, 4)", x[0] * x[1]),
    SAME("mul_broadcast", "t(5, 1, 3), t(4, 1)", x[0] * x[1]),
    SAME("mul_scalar", "t(3)", x[0] * -3.0),
    SAME("div", "t(3, 4), t(3, 4, positive=True)", x[0] / x[1]),
    SAME("div_broadcast", "t(2, 3), t(3, positive=True)", x[0] / x[1]),
    SAME("rdiv_scalar", "t(4, positive=True)", 2.0 / x[0]),
    SAME("neg", "t(3, 2)", -x[0]),
    SAME("abs", "t(6)", x[0].abs()),
    SAME("exp", "t(2, 3)", x[0].exp()),
    SAME("log", "t(2, 3, positive=True)", x[0].log()),
    SAME("sqrt", "t(2, 3, positive=True)", x[0].sqrt()),
    SAME("pow2", "t(5)", x[0].pow(2)),
    SAME("pow_frac", "t(5, positive=True)", x[0].pow(2.5)),
    SAME("pow_neg", "t(5, positive=True)", x[0].pow(-1.5)),
    SAME("pow_tensor", "t(4, positive=True), t(4)", x[0].pow(x[1])),
    SAME("relu", "t(3, 4)", x[0].relu()),
    SAME("sigmoid", "t(3, 4)", x[0].sigmoid()),
    SAME("tanh", "t(3, 4)", x[0].tanh()),
    SAME("clamp", "t(8)", x[0].clamp(-0.5, 0.5)),
    SAME("maximum", "t(2, 3), t(3)", x[0].maximum(x[1])),
    SAME("minimum", "t(2, 3), t(2, 3)", x[0].minimum(x[1])),
    TORCH("where", "t(3, 3), t(3, 3)", "torch.where(x[0] > x[1], x[0], x[1] * 2)",
          tl::where(x[0].gt(x[1]), x[0], x[1] * 2)),
    SAME("sum_all", "t(3, 4)", x[0].sum()),
    SAME("sum_dim0", "t(3, 4)", x[0].sum(0)),
    TORCH("sum_dim1_keep", "t(3, 4)", "x[0].sum(1, keepdim=True)", x[0].sum(1, true)),
    TORCH("sum_dims", "t(2, 3, 4)", "x[0].sum((0, 2))", x[0].sum({0, 2})),
    SAME("sum_neg_dim", "t(2, 3, 4)", x[0].sum(-1)),
    SAME("mean_all", "t(3, 4)", x[0].mean()),
    SAME("mean_dim", "t(3, 4)", x[0].mean(1)),
    TORCH("mean_dims_keep", "t(2, 3, 4)", "x[0].mean((1, 2), keepdim=True)",
          x[0].mean({1, 2}, true)),
    SAME("max_all", "t(3, 4)", x[0].max()),
    TORCH("max_dim", "t(3, 4)", "x[0].max(1)[0]", x[0].max(1).first),
    TORCH("max_dim0_keep", "t(3, 4)", "x[0].max(0, keepdim=True)[0]", x[0].max(0, true).first),
    TORCH("min_dim", "t(3, 4)", "x[0].min(1)[0]", x[0].min(1).first),
    SAME("mm", "t(3, 4), t(4, 5)", x[0].mm(x[1])),
    SAME("mm_transposed", "t(4, 3), t(5, 4)", x[0].t().mm(x[1].t())),
    SAME("matmul_mv", "t(3, 4), t(4)", x[0].matmul(x[1])),
    SAME("matmul_dot", "t(4), t(4)", x[0].matmul(x[1])),
    SAME("matmul_vm", "t(4), t(4, 3)", x[0].matmul(x[1])),
    SAME("matmul_batched", "t(2, 3, 4), t(2, 4, 5)", x[0].matmul(x[1])),
    SAME("matmul_broadcast", "t(2, 3, 4), t(4, 5)", x[0].matmul(x[1])),
    SAME("matmul_batch_broadcast", "t(2, 1, 3, 4), t(3, 4, 2)", x[0].matmul(x[1])),
    TORCH("addmm", "t(5), t(3, 4), t(4, 5)", "torch.addmm(x[0], x[1], x[2])",
          tl::addmm(x[0], x[1], x[2])),
    TORCH("view", "t(2, 6)", "x[0].view(3, 4) * 2", x[0].view({3, 4}) * 2),
    TORCH("view_infer", "t(2, 6)", "x[0].view(-1, 3) * 2", x[0].view({-1, 3}) * 2),
    TORCH("reshape_copy", "t(3, 4)", "x[0].t().reshape(12) * 2", x[0].t().reshape({12}) * 2),
    SAME("transpose", "t(2, 3, 4)", x[0].transpose(0, 2) * 1.5),
    TORCH("permute", "t(2, 3, 4)", "x[0].permute(2, 0, 1) * 1.5", x[0].permute({2, 0, 1}) * 1.5),
    SAME("flatten", "t(2, 3, 4)", x[0].flatten(1) * 1.5),
    SAME("unsqueeze_squeeze", "t(3, 4)", x[0].unsqueeze(1).squeeze(1) * 2),
    SAME("select", "t(3, 4)", x[0].select(1, 2) * 2),
    SAME("index_int", "t(3, 4)", x[0][1] * 2),
    TORCH("slice", "t(6, 4)", "x[0][1:5:2] * 2", x[0].slice(0, 1, 5, 2) * 2),
    SAME("narrow", "t(3, 6)", x[0].narrow(1, 2, 3) * 2),
    TORCH("expand", "t(3, 1)", "x[0].expand(2, 3, 4) * 2", x[0].expand({2, 3, 4}) * 2),
    TORCH("index_select", "t(4, 3)", "x[0].index_select(0, torch.tensor([3, 0, 3])) * 2",
          x[0].index_select(0, tl::tensor({3, 0, 3})) * 2),
    TORCH("cat", "t(2, 3), t(4, 3)", "torch.cat([x[0], x[1]])", tl::cat({x[0], x[1]})),
    TORCH("cat_dim1", "t(2, 3), t(2, 1)", "torch.cat([x[0], x[1]], 1)", tl::cat({x[0], x[1]}, 1)),
    TORCH("stack", "t(2, 3), t(2, 3)", "torch.stack([x[0], x[1]], 1)", tl::stack({x[0], x[1]}, 1)),
    SAME("clone", "t(2, 3)", x[0].clone()),
    SAME("contiguous_of_t", "t(2, 3)", x[0].t().contiguous() * 2),
    TORCH("to_float32", "t(2, 3)", "x[0].float().double() * 2",
          x[0].to(tl::kFloat32).to(tl::kFloat64) * 2),
    SAME("composite", "t(4, 3), t(3)", ((x[0] * x[1]).sigmoid() + x[0].tanh()).pow(2).mean(0)),
    SAME("softplus_like", "t(5)", (x[0].exp() + 1).log()),
    SAME("int_add", "t(3, dtype=torch.int64, ints=True), t(3, dtype=torch.int64, ints=True)",
         x[0] + x[1]),
    SAME("int_div", "t(4, dtype=torch.int64, ints=True), torch.tensor([1, 2, 3, 4])", x[0] / x[1]),
    SAME("int_float_promote", "t(3, dtype=torch.int64, ints=True), t(3)", x[0] * x[1]),
    SAME("int_scalar_float", "t(3, dtype=torch.int64, ints=True)", x[0] * 0.5),
    SAME("int_sum", "t(2, 3, dtype=torch.int32, ints=True)", x[0].sum(1)),
    SAME("compare_gt", "t(3, 4), t(4)", x[0].gt(x[1])),
    SAME("compare_eq_scalar", "t(5, dtype=torch.int64, ints=True)", x[0].eq(2)),
    SAME("argmax_dim", "t(3, 5)", x[0].argmax(1)),
    SAME("argmax_all", "t(3, 5)", x[0].argmax()),
    SAME("float32_matmul", "t(3, 4, dtype=torch.float32), t(4, 2, dtype=torch.float32)",
         x[0].mm(x[1])),
    // In-place ops on intermediates: PyTorch keeps the original self for the backward.
    SAME("inplace_clamp", "t(8)", (x[0] * 1).clamp_(-0.5, 0.5)),
    SAME("inplace_relu", "t(3, 4)", (x[0] * 1).relu_()),
    SAME("inplace_mul", "t(3, 4), t(4)", (x[0] * 1).mul_(x[1])),
    SAME("inplace_div", "t(3, 4), t(3, 4, positive=True)", (x[0] * 2).div_(x[1])),
    TORCH("inplace_chain", "t(5), t(5)",
          "(x[0] * 1).add_(x[1], alpha=2).mul_(x[1]).sub_(x[0]).div_(3)",
          (x[0] * 1).add_(x[1], 2).mul_(x[1]).sub_(x[0]).div_(3)),
    SAME("inplace_on_plain_tensor", "t(4, grad=False), t(4)", x[0].clone().mul_(x[1]).add_(x[1])),
    SAME("inplace_zero", "t(2, 3)", (x[0] * 2).zero_()),
    SAME("inplace_fill_then_mul", "t(2, 3), t(3)", (x[0] * 2).fill_(1.5).mul_(x[1])),
    SAME("inplace_fill", "t(4)", (x[0] * 2).fill_(-3)),
    SAME("inplace_copy", "t(2, 3), t(2, 3)", (x[0] * 1).copy_(x[1])),
    SAME("inplace_copy_broadcast_dtype", "t(2, 3, dtype=torch.float32), t(3)",
         (x[0] * 1).copy_(x[1])),
    TORCH("copy_into_plain_tensor", "t(3)", "torch.zeros(2, 3).copy_(x[0])",
          tl::zeros({2, 3}).copy_(x[0])),
    // Random in-place draws on intermediates (seed 7 just before the draw).
    SAME("inplace_uniform", "t(4)", seeded_copy(x[0], 2).uniform_(-1, 1)),
    SAME("inplace_normal", "t(5)", seeded_copy(x[0], 1).normal_(0.5, 2)),
    SAME("inplace_bernoulli", "t(6)", seeded_copy(x[0], 1).bernoulli_(0.3)),
    SAME("inplace_random", "t(4)", seeded_copy(x[0], 1).random_(0, 5)),
    TORCH("cat_five", "t(2), t(3), t(1), t(2), t(4)", "torch.cat(x) * 2", tl::cat(x) * 2),
    // Cases from the former hand-written gradcheck list.
    TORCH("add_alpha_broadcast", "t(2, 3), t(3)", "x[0].add(x[1], alpha=0.7)", x[0].add(x[1], 0.7)),
    SAME("mul_broadcast_row", "t(2, 3), t(1, 3)", x[0] * x[1]),
    SAME("pow_3_5", "t(5, positive=True)", x[0].pow(3.5)),
    TORCH("where_gt_zero", "t(5), t(5)", "torch.where(x[0] > 0, x[0], x[1])",
          tl::where(x[0].gt(0), x[0], x[1])),
    TORCH("sum_dims_keep", "t(2, 3, 2)", "x[0].sum((0, 2), keepdim=True)", x[0].sum({0, 2}, true)),
    TORCH("min_dim0_keep", "t(3, 4)", "x[0].min(0, keepdim=True)[0]", x[0].min(0, true).first),
    SAME("matmul_batched_matrix", "t(2, 2, 3), t(3, 2)", x[0].matmul(x[1])),
    SAME("select_dim0", "t(2, 3)", x[0].select(0, 1)),
    TORCH("slice_dim1", "t(2, 4)", "x[0][:, 0:3:2]", x[0].slice(1, 0, 3, 2)),
    TORCH("index_select_dim1", "t(2, 3)", "x[0].index_select(1, torch.tensor([2, 0, 2]))",
          x[0].index_select(1, tl::tensor({2, 0, 2}))),
    TORCH("stack_dim0", "t(3), t(3)", "torch.stack([x[0], x[1]])", tl::stack({x[0], x[1]})),
    // Broadcast and strided operands read in place.
    TORCH("where_broadcast", "t(3, 1), t(4)", "torch.where(x[0] > 0, x[0], x[1])",
          tl::where(x[0].gt(0), x[0], x[1])),
    TORCH("where_transposed", "t(3, 4), t(4, 3)", "torch.where(x[1].t() > 0, x[0], x[1].t())",
          tl::where(x[1].t().gt(0), x[0], x[1].t())),
    // Softmax family and losses (torchlite/ops/softmax.h, torchlite/ops/loss.h).
    TORCH("softmax", "t(3, 4)", "torch.softmax(x[0], 1)", tl::softmax(x[0], 1)),
    TORCH("softmax_dim0_3d", "t(2, 3, 4)", "torch.softmax(x[0], 0)", tl::softmax(x[0], 0)),
    TORCH("log_softmax", "t(3, 4)", "torch.log_softmax(x[0], -1)", tl::log_softmax(x[0], -1)),
    TORCH("log_softmax_float32", "t(2, 5, dtype=torch.float32)", "torch.log_softmax(x[0], 1)",
          tl::log_softmax(x[0], 1)),
    TORCH("mse_loss", "t(3, 4), t(3, 4)", "F.mse_loss(x[0], x[1])",
          tl::mse_loss(x[0], x[1], tl::Reduction::Mean)),
    TORCH("mse_loss_broadcast_none", "t(2, 3, 1), t(4)", "F.mse_loss(x[0], x[1], reduction='none')",
          tl::mse_loss(x[0], x[1], tl::Reduction::None)),
    TORCH("mse_loss_transposed_sum", "t(4, 3), t(3, 1)",
          "F.mse_loss(x[0].t(), x[1], reduction='sum')",
          tl::mse_loss(x[0].t(), x[1], tl::Reduction::Sum)),
    TORCH("l1_loss", "t(3, 4), t(3, 4)", "F.l1_loss(x[0], x[1])",
          tl::l1_loss(x[0], x[1], tl::Reduction::Mean)),
    TORCH("cross_entropy", "t(4, 5), torch.tensor([1, 0, 4, 2])", "F.cross_entropy(x[0], x[1])",
          tl::cross_entropy(x[0], x[1], tl::Tensor(), tl::Reduction::Mean, -100, 0.0)),
    TORCH("cross_entropy_probs_smoothed", "t(3, 4), t(3, 4)",
          "F.cross_entropy(x[0], x[1].softmax(1), reduction='sum', label_smoothing=0.1)",
          tl::cross_entropy(x[0], tl::softmax(x[1], 1), tl::Tensor(), tl::Reduction::Sum, -100,
                            0.1)),
    TORCH("nll_loss", "t(4, 5), torch.tensor([1, 0, 4, 2])",
          "F.nll_loss(x[0].log_softmax(1), x[1], reduction='sum')",
          tl::nll_loss(tl::log_softmax(x[0], 1), x[1], tl::Tensor(), tl::Reduction::Sum, -100)),
    TORCH("bce_with_logits", "t(3, 4), t(3, 4)",
          "F.binary_cross_entropy_with_logits(x[0], x[1].sigmoid())",
          tl::binary_cross_entropy_with_logits(x[0], x[1].sigmoid(), tl::Tensor(), tl::Tensor(),
                                               tl::Reduction::Mean)),    // Activations (torchlite/ops/activation.h); the *_kinks cases put inputs exactly on the
    // kinks and bounds, where the gradient is PyTorch's choice (no gradcheck there).
    TORCH("leaky_relu", "t(3, 4)", "F.leaky_relu(x[0])", tl::leaky_relu(x[0])),
    TORCH("leaky_relu_slope", "t(2, 5)", "F.leaky_relu(x[0], 0.2)", tl::leaky_relu(x[0], 0.2)),
    TORCH("leaky_relu_kinks", "kinks()", "F.leaky_relu(x[0], 0.1)", tl::leaky_relu(x[0], 0.1)),
    TORCH("leaky_relu_inplace", "t(6)", "F.leaky_relu(x[0] * 1, 0.3, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::leaky_relu_(y, 0.3); })),
    TORCH("leaky_relu_inplace_kinks", "kinks()", "F.leaky_relu(x[0] * 1, 0.1, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::leaky_relu_(y, 0.1); })),
    TORCH("leaky_relu_float32", "t(3, 4, dtype=torch.float32)", "F.leaky_relu(x[0])",
          tl::leaky_relu(x[0])),
    TORCH("gelu", "t(3, 4)", "F.gelu(x[0])", tl::gelu(x[0])),
    TORCH("gelu_tanh", "t(3, 4)", "F.gelu(x[0], approximate='tanh')", tl::gelu(x[0], "tanh")),
    TORCH("gelu_kinks", "kinks()", "F.gelu(x[0])", tl::gelu(x[0])),
    TORCH("gelu_tanh_float32", "t(7, dtype=torch.float32)", "F.gelu(x[0], approximate='tanh')",
          tl::gelu(x[0], "tanh")),
    TORCH("gelu_transposed", "t(4, 3)", "F.gelu(x[0].t())", tl::gelu(x[0].t())),
    TORCH("silu", "t(3, 4)", "F.silu(x[0])", tl::silu(x[0])),
    TORCH("silu_kinks", "kinks()", "F.silu(x[0])", tl::silu(x[0])),
    TORCH("silu_inplace", "t(5)", "F.silu(x[0] * 1, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::silu_(y); })),
    TORCH("silu_float32", "t(6, dtype=torch.float32)", "F.silu(x[0])", tl::silu(x[0])),
    TORCH("elu", "t(3, 4)", "F.elu(x[0])", tl::elu(x[0])),
    TORCH("elu_alpha", "t(8)", "F.elu(x[0], 0.5)", tl::elu(x[0], 0.5)),
    TORCH("elu_kinks", "kinks()", "F.elu(x[0], 0.5)", tl::elu(x[0], 0.5)),
    TORCH("elu_inplace", "t(8)", "F.elu(x[0] * 1, 1.5, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::elu_(y, 1.5); })),
    TORCH("elu_inplace_kinks", "kinks()", "F.elu(x[0] * 1, 0.5, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::elu_(y, 0.5); })),
    TORCH("relu6", "t(12, scale=4)", "F.relu6(x[0])", tl::relu6(x[0])),
    TORCH("relu6_kinks", "kinks()", "F.relu6(x[0])", tl::relu6(x[0])),
    TORCH("relu6_inplace_kinks", "kinks()", "F.relu6(x[0] * 1, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::relu6_(y); })),
    TORCH("hardtanh", "t(3, 4)", "F.hardtanh(x[0])", tl::hardtanh(x[0])),
    TORCH("hardtanh_bounds", "t(10, scale=3)", "F.hardtanh(x[0], -2.0, 1.5)",
          tl::hardtanh(x[0], -2.0, 1.5)),
    TORCH("hardtanh_kinks", "kinks()", "F.hardtanh(x[0], -3.0, 3.0)", tl::hardtanh(x[0], -3.0, 3.0)),
    TORCH("hardtanh_inplace_kinks", "kinks()", "F.hardtanh(x[0] * 1, -1.0, 1.0, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::hardtanh_(y, -1.0, 1.0); })),
    TORCH("hardtanh_float32", "t(9, dtype=torch.float32)", "F.hardtanh(x[0])",
          tl::hardtanh(x[0])),
    TORCH("hardswish", "t(12, scale=3)", "F.hardswish(x[0])", tl::hardswish(x[0])),
    TORCH("hardswish_kinks", "kinks()", "F.hardswish(x[0])", tl::hardswish(x[0])),
    TORCH("hardswish_inplace_kinks", "kinks()", "F.hardswish(x[0] * 1, inplace=True)",
          on_copy(x[0] * 1, [](tl::Tensor& y) { tl::hardswish_(y); })),
    // All 3: PyTorch's vectorised loop (first 8 doubles) and its scalar tail differ at x = 3.
    TORCH("hardswish_threes", "kinks()", "F.hardswish(x[0] - x[0].detach() + 3)",
          tl::hardswish(x[0] - x[0].detach() + 3.0)),
    TORCH("softplus", "t(3, 4)", "F.softplus(x[0])", tl::softplus(x[0])),
    TORCH("softplus_beta", "t(10, scale=6)", "F.softplus(x[0], 2.0, 5.0)",
          tl::softplus(x[0], 2.0, 5.0)),
    TORCH("softplus_kinks", "kinks()", "F.softplus(x[0], 2.0, 20.0)", tl::softplus(x[0], 2.0, 20.0)),
    TORCH("softplus_float32", "t(8, dtype=torch.float32, scale=10)", "F.softplus(x[0])",
          tl::softplus(x[0])),
};
// clang-format on

#undef SAME
#undef TORCH

/// Cases whose gradcheck cannot work: float64 in and out, but rounded through float32 between,
/// ... or inputs on a kink, where the gradient is a convention, not a derivative.
inline const std::set<std::string> kNoGradcheck = {
    "to_float32",         "leaky_relu_kinks",       "leaky_relu_inplace_kinks", "gelu_kinks",
    "silu_kinks",         "elu_kinks",              "elu_inplace_kinks",        "relu6_kinks",
    "relu6_inplace_kinks", "hardtanh_kinks",        "hardtanh_inplace_kinks",   "hardswish_kinks",
    "hardswish_inplace_kinks", "hardswish_threes", "softplus_kinks"};

/// The table entry named `name` (nullptr when none).
inline const OpCase* find(const std::string& name) {
  for (const OpCase& c : kOps)
    if (c.name == name) return &c;
  return nullptr;
}

/// tests/fixtures/ops/ops.json: per case its inputs, output, grad_fn, upstream gradient and input
/// gradients as PyTorch computed them, with the table's inputs and torch texts it was made from.
inline const nlohmann::json& fixture_cases() {
  static const nlohmann::json all = [] {
    std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/ops/ops.json");
    if (!f.good()) throw std::runtime_error("missing tests/fixtures/ops/ops.json");
    return nlohmann::json::parse(f);
  }();
  return all;
}

/// A fixture tensor ({shape, dtype, values as float64, requires_grad}) as a contiguous tensor.
inline tl::Tensor from_json(const nlohmann::json& j) {
  std::vector<double> values = j["values"];
  tl::Sizes shape = j["shape"].get<std::vector<int64_t>>();
  tl::Tensor t = tl::from_blob(values.data(), {static_cast<int64_t>(values.size())}, tl::kFloat64)
                     .to(tl::dtype_from_name(j["dtype"]))
                     .clone()
                     .reshape(shape)
                     .contiguous();
  if (j["requires_grad"].get<bool>()) t.requires_grad_();
  return t;
}

}  // namespace op_table
