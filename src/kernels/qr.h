// QR kernels: the Q factor of a Householder QR, as torch.linalg.qr computes it (LAPACK).
#pragma once

namespace torchlite::kernels {

/// Overwrites the column-major m x n matrix `a` (m >= n, leading dimension m) with the Q of its
/// reduced QR, each column j multiplied by sign(R[j, j]) (0 where R[j, j] is 0).
/// Throws torchlite::Error when LAPACK reports a failure.
void signed_householder_q(float* a, int m, int n);
void signed_householder_q(double* a, int m, int n);

}  // namespace torchlite::kernels
