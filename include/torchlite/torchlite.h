// Umbrella header: everything torchlite offers. Prefer the per-concept headers in libraries.
#pragma once

#include "torchlite/dtype.h"
#include "torchlite/error.h"
#include "torchlite/generator.h"
#include "torchlite/printing.h"
#include "torchlite/scalar.h"
#include "torchlite/tensor.h"
#include "torchlite/autograd/node.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/named.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/nn/state_dict.h"
