// nn::Embedding and nn::EmbeddingBag: PyTorch's checks, draws and repr around F::embedding and
// F::embedding_bag.
#include "torchlite/nn/embedding.h"

#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"
#include "torchlite/printing.h"

namespace torchlite::nn {
namespace {

/// Embedding.__init__'s padding_idx: within [-num_embeddings, num_embeddings), made non-negative.
std::optional<int64_t> normalise_padding(std::optional<int64_t> padding_idx, int64_t rows,
                                         const char* message) {
  if (!padding_idx) return std::nullopt;
  TL_CHECK(*padding_idx < rows && *padding_idx >= -rows, message);
  return *padding_idx < 0 ? rows + *padding_idx : *padding_idx;
}

void fill_padding_row(Tensor& weight, const std::optional<int64_t>& padding_idx) {
  if (!padding_idx) return;
  NoGradGuard no_grad;
  weight.detach().select(0, *padding_idx).fill_(0);
  weight.bump_version();
}

/// The repr fields after the sizes that Embedding and EmbeddingBag share.
std::string norm_repr(const std::optional<double>& max_norm, double norm_type,
                      bool scale_grad_by_freq) {
  std::string s;
  if (max_norm) s += ", max_norm=" + format_python_float(*max_norm);
  if (norm_type != 2) s += ", norm_type=" + format_python_float(norm_type);
  if (scale_grad_by_freq) s += ", scale_grad_by_freq=True";
  return s;
}

}  // namespace

EmbeddingImpl::EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim,
                             const EmbeddingOptions& o)
    : num_embeddings(num_embeddings),
      embedding_dim(embedding_dim),
      padding_idx(normalise_padding(o.padding_idx, num_embeddings,
                                    "Padding_idx must be within num_embeddings")),
      max_norm(o.max_norm),
      norm_type(o.norm_type),
      scale_grad_by_freq(o.scale_grad_by_freq),
      sparse(o.sparse) {
  TL_CHECK(!sparse, "Embedding: sparse gradients are not supported by torchlite");
  weight = register_parameter("weight", empty({num_embeddings, embedding_dim}));
  reset_parameters();
}

EmbeddingImpl::EmbeddingImpl(const Tensor& w, const EmbeddingOptions& o)
    : num_embeddings(w.size(0)),
      embedding_dim(w.size(1)),
      padding_idx(
          normalise_padding(o.padding_idx, w.size(0), "Padding_idx must be within num_embeddings")),
      max_norm(o.max_norm),
      norm_type(o.norm_type),
      scale_grad_by_freq(o.scale_grad_by_freq),
      sparse(o.sparse) {
  TL_CHECK(!sparse, "Embedding: sparse gradients are not supported by torchlite");
  weight = register_parameter("weight", w.detach());
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  fill_padding_row(weight, padding_idx);
}

Tensor EmbeddingImpl::forward(const Tensor& input) {
  return functional::embedding(input, weight,
                               {padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse});
}

std::string EmbeddingImpl::extra_repr() const {
  std::string s = std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim);
  if (padding_idx) s += ", padding_idx=" + std::to_string(*padding_idx);
  return s + norm_repr(max_norm, norm_type, scale_grad_by_freq);
}

Embedding Embedding::from_pretrained(const Tensor& embeddings,
                                     const EmbeddingFromPretrainedOptions& o) {
  TL_CHECK(embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional");
  auto m = std::make_shared<EmbeddingImpl>(
      embeddings,
      EmbeddingOptions{o.padding_idx, o.max_norm, o.norm_type, o.scale_grad_by_freq, o.sparse});
  m->weight.requires_grad_(!o.freeze);
  return Embedding(std::move(m));
}

EmbeddingBagImpl::EmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim,
                                   const EmbeddingBagOptions& o)
    : num_embeddings(num_embeddings),
      embedding_dim(embedding_dim),
      max_norm(o.max_norm),
      norm_type(o.norm_type),
      scale_grad_by_freq(o.scale_grad_by_freq),
      mode(o.mode),
      sparse(o.sparse),
      include_last_offset(o.include_last_offset),
      padding_idx(normalise_padding(o.padding_idx, num_embeddings,
                                    "padding_idx must be within num_embeddings")) {
  TL_CHECK(!sparse, "EmbeddingBag: sparse gradients are not supported by torchlite");
  weight = register_parameter("weight", empty({num_embeddings, embedding_dim}));
  reset_parameters();
}

EmbeddingBagImpl::EmbeddingBagImpl(const Tensor& w, const EmbeddingBagOptions& o)
    : num_embeddings(w.size(0)),
      embedding_dim(w.size(1)),
      max_norm(o.max_norm),
      norm_type(o.norm_type),
      scale_grad_by_freq(o.scale_grad_by_freq),
      mode(o.mode),
      sparse(o.sparse),
      include_last_offset(o.include_last_offset),
      padding_idx(normalise_padding(o.padding_idx, w.size(0),
                                    "padding_idx must be within num_embeddings")) {
  TL_CHECK(!sparse, "EmbeddingBag: sparse gradients are not supported by torchlite");
  weight = register_parameter("weight", w.detach());
}

void EmbeddingBagImpl::reset_parameters() {
  init::normal_(weight);
  fill_padding_row(weight, padding_idx);
}

Tensor EmbeddingBagImpl::forward(const Tensor& input, const Tensor& offsets,
                                 const Tensor& per_sample_weights) {
  functional::EmbeddingBagFuncOptions o;
  o.offsets = offsets;
  o.max_norm = max_norm;
  o.norm_type = norm_type;
  o.scale_grad_by_freq = scale_grad_by_freq;
  o.mode = mode;
  o.sparse = sparse;
  o.per_sample_weights = per_sample_weights;
  o.include_last_offset = include_last_offset;
  o.padding_idx = padding_idx;
  return functional::embedding_bag(input, weight, o);
}

std::string EmbeddingBagImpl::extra_repr() const {
  std::string s = std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim);
  s += norm_repr(max_norm, norm_type, scale_grad_by_freq);
  s += ", mode=" + mode;
  if (padding_idx) s += ", padding_idx=" + std::to_string(*padding_idx);
  return s;
}

EmbeddingBag EmbeddingBag::from_pretrained(const Tensor& embeddings,
                                           const EmbeddingBagFromPretrainedOptions& o) {
  TL_CHECK(embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional");
  auto m = std::make_shared<EmbeddingBagImpl>(
      embeddings, EmbeddingBagOptions{o.max_norm, o.norm_type, o.scale_grad_by_freq, o.mode,
                                      o.sparse, o.include_last_offset, o.padding_idx});
  m->weight.requires_grad_(!o.freeze);
  return EmbeddingBag(std::move(m));
}

}  // namespace torchlite::nn
