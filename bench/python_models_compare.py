#!/usr/bin/python3
"""Every torchlite.models architecture against torchvision 0.14 (repr, state_dict keys and shapes,
the init loop's bits for a seed, eval outputs): the case file's model cases with resnet34,
resnet50, alexnet and vgg11_bn added, which take minutes to draw and so stay out of CI.

usage: python_models_compare.py BUILD_PYTHON_DIR
"""
import os
import subprocess
import sys

cases = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python",
                     "test_vs_torch.py")
env = dict(os.environ, TORCHLITE_ALL_MODELS="1")
sys.exit(subprocess.run([sys.executable, cases, sys.argv[1], "-k", "torchvision"],
                        env=env).returncode)
