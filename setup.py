"""The one compiled module (pipelines/extract/html_tree.pyx, the HTML tree walk); everything else is
declared in pyproject.toml. It reads libxml2's nodes through lxml's public C API, so it is built
against the headers lxml ships (`lxml.get_include()`)."""
import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("pipelines.extract.html_tree", ["pipelines/extract/html_tree.pyx"], include_dirs=lxml.get_include())],
    compiler_directives={"language_level": 3}, quiet=True))
