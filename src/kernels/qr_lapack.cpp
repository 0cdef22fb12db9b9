// QR on LAPACK's geqrf/orgqr (OpenBLAS ships them), with the workspace queried first as
// torch.linalg.qr does.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/qr.h"
#include "torchlite/error.h"

extern "C" {
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work,
             const int* lwork, int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau,
             float* work, const int* lwork, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
}

namespace torchlite::kernels {
namespace {

void geqrf(int m, int n, float* a, float* tau, float* work, int lwork, int* info) {
  sgeqrf_(&m, &n, a, &m, tau, work, &lwork, info);
}
void geqrf(int m, int n, double* a, double* tau, double* work, int lwork, int* info) {
  dgeqrf_(&m, &n, a, &m, tau, work, &lwork, info);
}
void orgqr(int m, int n, float* a, const float* tau, float* work, int lwork, int* info) {
  sorgqr_(&m, &n, &n, a, &m, tau, work, &lwork, info);
}
void orgqr(int m, int n, double* a, const double* tau, double* work, int lwork, int* info) {
  dorgqr_(&m, &n, &n, a, &m, tau, work, &lwork, info);
}

template <typename T>
void householder_q(T* a, int m, int n) {
  std::vector<T> tau(static_cast<size_t>(n));
  int info = 0;
  T query = 0;
  geqrf(m, n, a, tau.data(), &query, -1, &info);
  std::vector<T> work(static_cast<size_t>(std::max(1, static_cast<int>(query))));
  geqrf(m, n, a, tau.data(), work.data(), static_cast<int>(work.size()), &info);
  TL_CHECK(info == 0, "orthogonal_: LAPACK geqrf failed with info=", info);
  std::vector<T> sign(static_cast<size_t>(n));
  for (int j = 0; j < n; ++j) {
    const T d = a[j + static_cast<int64_t>(j) * m];
    sign[j] = static_cast<T>((d > 0) - (d < 0));
  }
  orgqr(m, n, a, tau.data(), &query, -1, &info);
  work.assign(static_cast<size_t>(std::max(1, static_cast<int>(query))), T(0));
  orgqr(m, n, a, tau.data(), work.data(), static_cast<int>(work.size()), &info);
  TL_CHECK(info == 0, "orthogonal_: LAPACK orgqr failed with info=", info);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < m; ++i) a[i + static_cast<int64_t>(j) * m] *= sign[j];
  }
}

}  // namespace

void signed_householder_q(float* a, int m, int n) { householder_q(a, m, n); }
void signed_householder_q(double* a, int m, int n) { householder_q(a, m, n); }

}  // namespace torchlite::kernels
