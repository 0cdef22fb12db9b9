// Embedding lookups: gather rows forward, scatter-add backward (float32 and float64).
#include "torchlite/ops/embedding.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

/// indices as int64 values, checked against [0, rows) with PyTorch's message.
std::vector<int64_t> checked_indices(const Tensor& indices, int64_t rows, const char* op) {
  TL_CHECK(indices.dtype() == kInt64 || indices.dtype() == kInt32,
           "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
           "Long, Int; but got ",
           detail::legacy_type_name(indices.dtype()), " instead (while checking arguments for ", op,
           ")");
  const Tensor c = indices.to(kInt64).contiguous();
  std::vector<int64_t> idx(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
  for (int64_t i : idx) TL_CHECK(i >= 0 && i < rows, "index out of range in self");
  return idx;
}

void check_weight(const Tensor& weight, const char* op) {
  TL_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  TL_CHECK(weight.dtype() == kFloat32 || weight.dtype() == kFloat64, op,
           ": expected a float32 or float64 weight");
}

/// Per-index gradient scale: 1 / count of the index (scale_grad_by_freq) or 1.
std::vector<double> freq_scale(const std::vector<int64_t>& idx, int64_t rows, bool by_freq) {
  std::vector<double> scale(idx.size(), 1.0);
  if (!by_freq) return scale;
  std::vector<int64_t> count(rows, 0);
  for (int64_t i : idx) ++count[i];
  for (size_t k = 0; k < idx.size(); ++k) scale[k] = 1.0 / static_cast<double>(count[idx[k]]);
  return scale;
}

template <class T>
void gather(const Tensor& w, const std::vector<int64_t>& idx, Tensor& out) {
  const int64_t D = w.size(1);
  const T* pw = w.data_ptr<T>();
  T* po = out.data_ptr<T>();
  for (size_t k = 0; k < idx.size(); ++k) std::copy_n(pw + idx[k] * D, D, po + k * D);
}

template <class T>
Tensor scatter_add(const Tensor& g, const std::vector<int64_t>& idx, const std::vector<double>& s,
                   int64_t rows, int64_t D, int64_t padding_idx) {
  Tensor gw = zeros({rows, D}, g.dtype());
  const Tensor gc = g.contiguous();
  const T* pg = gc.data_ptr<T>();
  T* pw = gw.data_ptr<T>();
  for (size_t k = 0; k < idx.size(); ++k) {
    if (idx[k] == padding_idx) continue;
    const T sc = static_cast<T>(s[k]);
    T* row = pw + idx[k] * D;
    const T* src = pg + k * D;
    if (sc == T(1))
      for (int64_t j = 0; j < D; ++j) row[j] += src[j];
    else
      for (int64_t j = 0; j < D; ++j) row[j] += src[j] * sc;
  }
  return gw;
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                 bool scale_grad_by_freq) {
  check_weight(weight, "embedding");
  const int64_t V = weight.size(0), D = weight.size(1);
  std::vector<int64_t> idx = checked_indices(indices, V, "embedding");
  Sizes shape = indices.sizes();
  shape.push_back(D);
  Tensor out = detail::make_empty(shape, weight.dtype());
  const Tensor w = weight.detach().contiguous();
  if (weight.dtype() == kFloat32)
    gather<float>(w, idx, out);
  else
    gather<double>(w, idx, out);
  return autograd::record(
      out, "EmbeddingBackward0", {weight},
      [idx = std::move(idx), V, D, padding_idx, scale_grad_by_freq](const Tensor& g) {
        const std::vector<double> s = freq_scale(idx, V, scale_grad_by_freq);
        if (g.dtype() == kFloat32)
          return std::array{scatter_add<float>(g, idx, s, V, D, padding_idx)};
        return std::array{scatter_add<double>(g, idx, s, V, D, padding_idx)};
      });
}

void embedding_renorm_(const Tensor& weight, const Tensor& indices, double max_norm,
                       double norm_type) {
  check_weight(weight, "embedding_renorm_");
  std::vector<int64_t> idx = checked_indices(indices, weight.size(0), "embedding_renorm_");
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  NoGradGuard no_grad;
  const Tensor w = weight.detach();
  for (int64_t i : idx) {
    Tensor row = w.select(0, i);
    const Tensor a = row.abs();
    double norm;
    if (std::isinf(norm_type))
      norm = (norm_type > 0 ? a.max() : a.min()).item_double();
    else if (norm_type == 0)
      norm = a.ne(0).to(row.dtype()).sum().item_double();
    else
      norm = std::pow(a.pow(norm_type).sum().item_double(), 1.0 / norm_type);
    if (norm > max_norm) row.mul_(max_norm / (norm + 1e-7));
  }
}

Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                     EmbeddingBagMode mode, const Tensor& per_sample_weights,
                     bool include_last_offset, int64_t padding_idx, bool scale_grad_by_freq) {
  check_weight(weight, "embedding_bag");
  TL_CHECK(indices.dim() == 1, "input has to be 1D Tensor, but got Tensor of dimension ",
           indices.dim());
  TL_CHECK(offsets.dim() == 1, "offsets has to be a 1D Tensor, but got Tensor of dimension ",
           offsets.dim());
  const int64_t V = weight.size(0), D = weight.size(1);
  const std::vector<int64_t> idx = checked_indices(indices, V, "embedding_bag");
  const Tensor oc = offsets.to(kInt64).contiguous();
  std::vector<int64_t> off(oc.data_ptr<int64_t>(), oc.data_ptr<int64_t>() + oc.numel());
  const int64_t n = static_cast<int64_t>(idx.size());
  TL_CHECK(off.empty() || off[0] == 0,
           "offsets[0] has to be 0, i.e., the first sequence in the "
           "mini-batch has to start from position 0. However, got ",
           off.empty() ? 0 : off[0]);
  TL_CHECK(off.empty() || off.back() <= n, "offsets[-1] can not be greater than input's length ", n,
           ", but got offsets[-1] of ", off.empty() ? 0 : off.back());
  int64_t bags = static_cast<int64_t>(off.size());
  if (include_last_offset) {
    TL_CHECK(bags >= 1, "include_last_offset: number of offset should be at least 1");
    --bags;
  }
  // bag_of[k]: the bag entry k belongs to (-1: none, past include_last_offset's end).
  std::vector<int64_t> bag_of(n, -1);
  for (int64_t b = 0; b < bags; ++b) {
    const int64_t end = b + 1 < static_cast<int64_t>(off.size()) ? off[b + 1] : n;
    for (int64_t k = off[b]; k < std::min(end, n); ++k) bag_of[k] = b;
  }
  const bool has_psw = per_sample_weights.defined();
  Tensor psw = has_psw ? per_sample_weights.detach().to(kFloat64).contiguous() : Tensor();
  const Tensor w64 = weight.detach().to(kFloat64).contiguous();
  const double* pw = w64.data_ptr<double>();
  Tensor out64 = zeros({bags, D}, kFloat64);
  double* po = out64.data_ptr<double>();
  std::vector<int64_t> count(bags, 0), argmax(bags * D, -1);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t b = bag_of[k];
    if (b < 0 || idx[k] == padding_idx) continue;
    const double* row = pw + idx[k] * D;
    double* o = po + b * D;
    if (mode == EmbeddingBagMode::kMax) {
      for (int64_t j = 0; j < D; ++j)
        if (argmax[b * D + j] < 0 || row[j] > o[j]) {
          o[j] = row[j];
          argmax[b * D + j] = idx[k];
        }
    } else {
      const double s = has_psw ? psw.data_ptr<double>()[k] : 1.0;
      for (int64_t j = 0; j < D; ++j) o[j] += row[j] * s;
    }
    ++count[b];
  }
  if (mode == EmbeddingBagMode::kMean)
    for (int64_t b = 0; b < bags; ++b)
      if (count[b] > 0)
        for (int64_t j = 0; j < D; ++j) po[b * D + j] /= static_cast<double>(count[b]);
  Tensor out = out64.to(weight.dtype());
  std::vector<Tensor> inputs{weight};
  if (has_psw) inputs.push_back(per_sample_weights);
  const Dtype wdt = weight.dtype(), pdt = has_psw ? per_sample_weights.dtype() : kFloat64;
  return autograd::record(out, "EmbeddingBagBackward0", inputs,
                          [=, idx = std::move(idx), argmax = std::move(argmax)](const Tensor& g) {
                            const Tensor g64 = g.to(kFloat64).contiguous();
                            const double* pg = g64.data_ptr<double>();
                            const std::vector<double> s = freq_scale(idx, V, scale_grad_by_freq);
                            Tensor gw = zeros({V, D}, kFloat64);
                            double* pgw = gw.data_ptr<double>();
                            if (mode == EmbeddingBagMode::kMax) {
                              for (int64_t b = 0; b < bags; ++b)
                                for (int64_t j = 0; j < D; ++j)
                                  if (argmax[b * D + j] >= 0)
                                    pgw[argmax[b * D + j] * D + j] += pg[b * D + j];
                            } else {
                              for (int64_t k = 0; k < n; ++k) {
                                const int64_t b = bag_of[k];
                                if (b < 0 || idx[k] == padding_idx) continue;
                                double f = s[k] * (has_psw ? psw.data_ptr<double>()[k] : 1.0);
                                if (mode == EmbeddingBagMode::kMean)
                                  f /= static_cast<double>(count[b]);
                                for (int64_t j = 0; j < D; ++j)
                                  pgw[idx[k] * D + j] += pg[b * D + j] * f;
                              }
                            }
                            std::vector<Tensor> grads{gw.to(wdt)};
                            if (has_psw) {
                              Tensor gp = zeros({n}, kFloat64);
                              for (int64_t k = 0; k < n; ++k) {
                                const int64_t b = bag_of[k];
                                if (b < 0 || idx[k] == padding_idx) continue;
                                double acc = 0;
                                for (int64_t j = 0; j < D; ++j)
                                  acc += pg[b * D + j] * pw[idx[k] * D + j];
                                gp.data_ptr<double>()[k] = acc;
                              }
                              grads.push_back(gp.to(pdt));
                            }
                            return grads;
                          });
}

}  // namespace torchlite
