// Elementwise kernels: each flat fast path against its strided reference twin, in-place
// aliasing included, and copy's memmove/memcpy paths against the element-wise copy.
#include <gtest/gtest.h>

#include <vector>

#include "core/tensor_util.h"
#include "kernels/elementwise.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace k = torchlite::kernels;
using tl::detail::view_of;

namespace {

struct BinaryCase {
  tl::Sizes a, b;
  bool transposed_a;
};

}  // namespace

TEST(ElementwiseKernels, BinaryMatchesItsStridedTwin) {
  tl::manual_seed(3);
  const auto f = [](float x, float y) { return x * 0.5f + y; };
  for (const BinaryCase& c : std::vector<BinaryCase>{{{7}, {7}, false},
                                                     {{3, 5}, {1}, false},
                                                     {{1}, {4, 6}, false},
                                                     {{2, 3}, {3}, false},
                                                     {{5, 4}, {5, 4}, true},
                                                     {{4, 3}, {4, 1}, true},
                                                     {{}, {}, false},
                                                     {{0, 3}, {3}, false}}) {
    tl::Tensor a = c.transposed_a ? tl::randn({c.a[1], c.a[0]}).t() : tl::randn(c.a);
    tl::Tensor b = tl::randn(c.b);
    tl::Sizes shape = tl::broadcast_shapes(a.sizes(), b.sizes(), "test");
    tl::Tensor fast = tl::empty(shape), twin = tl::empty(shape);
    k::binary<float, float>(view_of(fast), view_of(a), view_of(b), f);
    k::binary_strided<float, float>(view_of(twin), view_of(a), view_of(b), f);
    EXPECT_TRUE(fast.equal(twin)) << tl::detail::shape_str(c.a) << " "
                                  << tl::detail::shape_str(c.b);
  }
}

TEST(ElementwiseKernels, InPlaceBinaryAndUnaryMatchTheirTwins) {
  tl::manual_seed(4);
  const auto f = [](double x, double y) { return x - 2 * y; };
  const auto g = [](double x) { return x > 0 ? x : 0.0; };
  for (bool transposed : {false, true}) {
    tl::Tensor self =
        transposed ? tl::randn({6, 5}, tl::kFloat64).t() : tl::randn({5, 6}, tl::kFloat64);
    for (const tl::Tensor& other : {tl::randn({5, 6}, tl::kFloat64), tl::randn({6}, tl::kFloat64),
                                    tl::randn({1}, tl::kFloat64), self}) {
      tl::Tensor s = self.clone();
      tl::Tensor o = other.is_same(self) ? s : other;
      tl::Tensor twin = tl::empty(s.sizes(), tl::kFloat64);
      k::binary_strided<double, double>(view_of(twin), view_of(s), view_of(o), f);
      k::binary<double, double>(view_of(s), view_of(s), view_of(o), f);
      EXPECT_TRUE(s.equal(twin)) << transposed;
    }
    tl::Tensor s = self.clone();
    tl::Tensor twin = tl::empty(s.sizes(), tl::kFloat64);
    k::unary_strided<double, double>(view_of(twin), view_of(s), g);
    k::unary<double, double>(view_of(s), view_of(s), g);
    EXPECT_TRUE(s.equal(twin)) << transposed;
  }
}

TEST(ElementwiseKernels, CopyMatchesItsElementwiseTwin) {
  tl::manual_seed(5);
  const tl::Tensor src = tl::randn({6, 5});
  for (const tl::Tensor& s : {src, src.t(), src.select(1, 2), src.to(tl::kFloat64)}) {
    for (bool transposed_dst : {false, true}) {
      tl::Sizes shape = s.dim() == 1 ? tl::Sizes{3, 6} : s.sizes();
      auto make = [&] {
        return transposed_dst ? tl::empty({shape[1], shape[0]}).t() : tl::empty(shape);
      };
      tl::Tensor fast = make(), twin = make();
      k::copy(view_of(fast), view_of(s));
      k::copy_strided(view_of(twin), view_of(s));
      EXPECT_TRUE(fast.equal(twin)) << tl::detail::shape_str(s.sizes()) << transposed_dst;
    }
  }
}
