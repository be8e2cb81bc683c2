// Every differentiable op. Each op's forward and backward live together in
// autograd/ops/<group>.cpp.
#pragma once

#include <xgrad/autograd/ops/activations.hpp>
#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/clipping.hpp>
#include <xgrad/autograd/ops/conv.hpp>
#include <xgrad/autograd/ops/linalg.hpp>
#include <xgrad/autograd/ops/linear.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/pooling.hpp>
#include <xgrad/autograd/ops/reduce.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>
