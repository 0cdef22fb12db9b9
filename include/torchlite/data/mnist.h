// MNIST and Fashion-MNIST from IDX files (gzipped or not), as torchvision.datasets.
// Mirrors https://pytorch.org/vision/stable/generated/torchvision.datasets.FashionMNIST.html
#pragma once

#include <string>
#include <vector>

#include "torchlite/data/dataset.h"

namespace torchlite::data {

/// Reads an IDX file of unsigned bytes (gzip or plain): uint8 tensor of the header's shape.
/// Bad magic numbers, sizes or truncated/corrupt files throw torchlite::Error naming the file.
Tensor read_idx(const std::string& path);

/// The handwritten digits: data() uint8 [N, 28, 28], targets() int64 [N]. Batches are what
/// transforms.ToTensor() gives: float32 [B, 1, 28, 28] in [0, 1], and int64 labels [B].
class MNIST : public Dataset {
 public:
  /// Reads `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` from root (or root/MNIST/raw).
  explicit MNIST(const std::string& root, bool train = true);
  int64_t size() const override;
  Batch get_batch(const std::vector<int64_t>& indices) const override;
  const Tensor& data() const { return data_; }
  const Tensor& targets() const { return targets_; }
  /// Class names, index = label.
  virtual std::vector<std::string> classes() const;

 protected:
  MNIST(const std::string& root, bool train, const std::string& name);

 private:
  Tensor data_, targets_;
};

/// Zalando's Fashion-MNIST (same format, clothing classes).
class FashionMNIST : public MNIST {
 public:
  /// Reads from root (or root/FashionMNIST/raw); see default_root().
  explicit FashionMNIST(const std::string& root = default_root(), bool train = true);
  std::vector<std::string> classes() const override;
  /// $TORCHLITE_DATA if set, else /usr/share/datasets/fashion-mnist (Debian's
  /// dataset-fashion-mnist package).
  static std::string default_root();
};

}  // namespace torchlite::data
