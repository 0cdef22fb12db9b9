// Collectives on 1, 2 and 3 ranks: every op and dtype, contiguous and not, empty, blocking and
// async, and the bad-argument errors. Rank r holds values made from r, so the results are known.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "distributed/mpi_test_main.h"

namespace tl = torchlite;
namespace dist = torchlite::distributed;
using dist::ReduceOp;

namespace {

const std::vector<tl::Dtype> kDtypes = {tl::kFloat32, tl::kFloat64, tl::kInt64};

/// Rank r's [rows, cols] tensor: element i is (i % 5) + 1 + r (small, so products stay exact).
tl::Tensor rank_values(int r, tl::Sizes shape, tl::Dtype dtype) {
  tl::Tensor t = tl::empty(shape, tl::kFloat64);
  for (int64_t i = 0; i < t.numel(); ++i) t.data_ptr<double>()[i] = double(i % 5 + 1 + r);
  return t.to(dtype);
}

double reduce_expected(ReduceOp op, int world, double base) {
  double acc = op == ReduceOp::PRODUCT ? 1 : (op == ReduceOp::MIN ? 1e300 : -1e300);
  if (op == ReduceOp::SUM || op == ReduceOp::AVG) acc = 0;
  for (int r = 0; r < world; ++r) {
    const double v = base + r;
    if (op == ReduceOp::SUM || op == ReduceOp::AVG) acc += v;
    if (op == ReduceOp::PRODUCT) acc *= v;
    if (op == ReduceOp::MIN) acc = std::min(acc, v);
    if (op == ReduceOp::MAX) acc = std::max(acc, v);
  }
  return op == ReduceOp::AVG ? acc / world : acc;
}

/// Expects t[i] (in t's logical order, flattened from a contiguous copy) == f(i).
template <class F>
void expect_values(const tl::Tensor& t, F f, const std::string& what) {
  const tl::Tensor c = t.contiguous().to(tl::kFloat64);
  for (int64_t i = 0; i < c.numel(); ++i)
    EXPECT_DOUBLE_EQ(c.data_ptr<double>()[i], f(i)) << what << " element " << i;
}

}  // namespace

TEST(Collectives, WorldAndRank) {
  EXPECT_TRUE(dist::is_initialized());
  EXPECT_GE(dist::get_world_size(), 1);
  EXPECT_GE(dist::get_rank(), 0);
  EXPECT_LT(dist::get_rank(), dist::get_world_size());
  EXPECT_GE(dist::get_local_world_size(), 1);
  dist::barrier();
}

TEST(Collectives, AllReduceEveryOpDtypeAndLayout) {
  const int world = dist::get_world_size(), rank = dist::get_rank();
  for (tl::Dtype dtype : kDtypes)
    for (ReduceOp op :
         {ReduceOp::SUM, ReduceOp::AVG, ReduceOp::PRODUCT, ReduceOp::MIN, ReduceOp::MAX}) {
      if (op == ReduceOp::AVG && dtype == tl::kInt64) continue;
      for (bool async_op : {false, true}) {
        const std::string what =
            tl::dtype_name(dtype) + " op " + std::to_string(int(op)) + (async_op ? " async" : "");
        // contiguous [3, 4]
        tl::Tensor t = rank_values(rank, {3, 4}, dtype);
        dist::Work w = dist::all_reduce(t, op, async_op);
        w.wait();
        EXPECT_TRUE(w.is_completed());
        expect_values(
            t, [&](int64_t i) { return reduce_expected(op, world, double(i % 5 + 1)); }, what);
        // non-contiguous: the transpose of a [4, 3] tensor, written back in place
        tl::Tensor base = rank_values(rank, {4, 3}, dtype);
        tl::Tensor tt = base.t();
        dist::all_reduce(tt, op, async_op).wait();
        expect_values(
            base, [&](int64_t i) { return reduce_expected(op, world, double(i % 5 + 1)); },
            what + " transposed");
        // empty
        tl::Tensor e = tl::empty({0, 3}, dtype);
        dist::all_reduce(e, op, async_op).wait();
        EXPECT_EQ(e.sizes(), tl::Sizes({0, 3}));
      }
    }
}

TEST(Collectives, BroadcastFromEveryRank) {
  const int world = dist::get_world_size(), rank = dist::get_rank();
  for (tl::Dtype dtype : kDtypes)
    for (int src = 0; src < world; ++src)
      for (bool async_op : {false, true}) {
        tl::Tensor t = rank_values(rank, {2, 5}, dtype);
        dist::broadcast(t, src, async_op).wait();
        expect_values(
            t, [&](int64_t i) { return double(i % 5 + 1 + src); }, "broadcast");
        tl::Tensor base = rank_values(rank, {5, 2}, dtype);
        tl::Tensor tt = base.t();
        dist::broadcast(tt, src, async_op).wait();
        expect_values(
            base, [&](int64_t i) { return double(i % 5 + 1 + src); }, "broadcast t");
        tl::Tensor e = tl::empty({0}, dtype);
        dist::broadcast(e, src, async_op).wait();
      }
}

TEST(Collectives, AllGather) {
  const int world = dist::get_world_size(), rank = dist::get_rank();
  for (tl::Dtype dtype : kDtypes)
    for (bool async_op : {false, true}) {
      tl::Tensor mine = rank_values(rank, {3, 2}, dtype).t();  // non-contiguous input
      std::vector<tl::Tensor> out;
      for (int r = 0; r < world; ++r) out.push_back(tl::zeros({3, 2}, dtype).t());  // and outputs
      dist::Work w = dist::all_gather(out, mine, async_op);
      w.wait();
      for (int r = 0; r < world; ++r)
        EXPECT_TRUE(out[r].equal(rank_values(r, {3, 2}, dtype).t())) << "from rank " << r;
      std::vector<tl::Tensor> empty_out(world, tl::empty({0, 4}, dtype));
      dist::all_gather(empty_out, tl::empty({0, 4}, dtype), async_op).wait();
    }
}

TEST(Collectives, ReduceScatter) {
  const int world = dist::get_world_size(), rank = dist::get_rank();
  for (tl::Dtype dtype : kDtypes)
    for (ReduceOp op :
         {ReduceOp::SUM, ReduceOp::AVG, ReduceOp::MAX, ReduceOp::MIN, ReduceOp::PRODUCT}) {
      if (op == ReduceOp::AVG && dtype == tl::kInt64) continue;
      // input block b of rank r: rank_values(r + b); this rank receives block `rank`
      std::vector<tl::Tensor> in;
      for (int b = 0; b < world; ++b) in.push_back(rank_values(rank + b, {2, 3}, dtype).t());
      tl::Tensor base = tl::zeros({2, 3}, dtype);
      tl::Tensor out = base.t();
      dist::reduce_scatter(out, in, op, /*async_op=*/true).wait();
      const tl::Tensor order = tl::arange(6).view({2, 3}).t().contiguous();
      for (int64_t i = 0; i < 6; ++i) {
        const int64_t k = order.data_ptr<int64_t>()[i];
        EXPECT_DOUBLE_EQ(out.contiguous().to(tl::kFloat64).data_ptr<double>()[i],
                         reduce_expected(op, world, double(k % 5 + 1 + rank)))
            << tl::dtype_name(dtype) << " op " << int(op);
      }
      tl::Tensor e = tl::empty({0}, dtype);
      dist::reduce_scatter(e, std::vector<tl::Tensor>(world, tl::empty({0}, dtype)), op).wait();
    }
}

TEST(Collectives, BadArgumentsRaise) {
  const int world = dist::get_world_size();
  tl::Tensor i32 = tl::zeros({2}, tl::kInt32);
  EXPECT_THROW(dist::all_reduce(i32), tl::Error);
  tl::Tensor i64 = tl::zeros({2}, tl::kInt64);
  EXPECT_THROW(dist::all_reduce(i64, ReduceOp::AVG), tl::Error);
  tl::Tensor f = tl::zeros({2});
  EXPECT_THROW(dist::broadcast(f, world), tl::Error);
  EXPECT_THROW(dist::broadcast(f, -1), tl::Error);
  std::vector<tl::Tensor> wrong(world + 1, tl::zeros({2}));
  EXPECT_THROW(dist::all_gather(wrong, f), tl::Error);
  std::vector<tl::Tensor> shapes(world, tl::zeros({3}));
  EXPECT_THROW(dist::all_gather(shapes, f), tl::Error);
  EXPECT_THROW(dist::reduce_scatter(f, shapes), tl::Error);
  tl::Tensor undefined;
  EXPECT_THROW(dist::all_reduce(undefined), tl::Error);
  try {
    dist::all_reduce(i32);
  } catch (const tl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("all_reduce: unsupported dtype"), std::string::npos)
        << e.what();
  }
}
