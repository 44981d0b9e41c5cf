#pragma once
// The principal plane of a point cloud: the top two principal components of n row vectors and
// each row's coordinates in them. The cluster drift view projects SLIM cluster centres
// (n = reports x clusters, dim = hidden size, up to ~4096) onto it.
//
// Std only; pure functions; callable from any thread.

#include <array>
#include <cstddef>
#include <vector>

namespace slim::ui {

struct PrincipalPlane
{
    // Coordinates of each row (in input order) along PC1 and PC2, after subtracting the mean.
    // Pairwise distances in this plane equal the original distances when the rows lie on a plane.
    std::vector<std::array<double, 2>> coords;
    // Unit principal directions [dim]; a zero vector when the data has fewer dimensions.
    std::array<std::vector<double>, 2> axes;
    std::vector<double> mean; // [dim]
    // Variance (sum of squares / n) along PC1 and PC2, and over all dimensions.
    std::array<double, 2> variance {};
    double totalVariance = 0;

    // Share of the total variance along PC1 and PC2 (0..1; 0 when the total is 0).
    std::array<double, 2> explained() const;
};

// `rows` are n pointers to `dim` floats each (not copied; must outlive the call). Works on the
// smaller of the dim x dim covariance and the n x n Gram matrix, by subspace iteration with a
// Rayleigh-Ritz step, so a few hundred centres of dim 4096 take milliseconds. The sign of each
// axis is fixed (its largest component is positive) so refits with more data do not mirror the
// picture. Deterministic.
PrincipalPlane principalPlane(const std::vector<const float *> &rows, std::size_t dim);

// Convenience for tests and small inputs: every row must have the same size.
PrincipalPlane principalPlane(const std::vector<std::vector<float>> &rows);

// Eigen decomposition of a small symmetric matrix (k x k, row-major) by cyclic Jacobi rotations:
// eigenvalues in descending order, eigenvectors as the columns of `vectors` (k x k, row-major).
void symmetricEigen(std::vector<double> matrix, std::size_t k, std::vector<double> &values,
                    std::vector<double> &vectors);

} // namespace slim::ui
