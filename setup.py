"""mmkdseg: knowledge distillation for semantic segmentation, as an MMSegmentation/MMRazor plugin.

Requirements are read from ``requirements/*.txt`` (the same pinned files that ``tools/setup_env.sh``
installs). ``pip install -e .`` works in an environment that already holds the pinned stack; on a fresh
machine use ``make setup`` (torch must be installed before mmcv is built from source, see README).
"""
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def parse_requirements(name):
    """Requirement lines of ``requirements/<name>.txt`` without comments."""
    lines = []
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                lines.append(line)
    return lines


def get_version():
    with open(osp.join(HERE, 'mmkdseg', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


setup(
    name='mmkdseg',
    version=get_version(),
    description='Knowledge distillation for semantic segmentation on MMSegmentation and MMRazor',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    python_requires='>=3.9',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools', 'benchmarks')),
    include_package_data=True,
    install_requires=(parse_requirements('torch') + parse_requirements('mmcv')
                      + parse_requirements('runtime')),
    extras_require={'tests': parse_requirements('tests')},
    zip_safe=False,
)
