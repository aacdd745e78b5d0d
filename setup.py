"""The compiled modules; everything else is declared in pyproject.toml.

- pipelines/extract/html_tree.pyx: the HTML tree walk. It reads libxml2's nodes through lxml's
  public C API, so it is built against the headers lxml ships (`lxml.get_include()`).
- pipelines/parse/stream_loops.pyx: the token stream's inner loops (tokens, keyword hits, chain).
"""
import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("pipelines.extract.html_tree", ["pipelines/extract/html_tree.pyx"], include_dirs=lxml.get_include()),
     Extension("pipelines.parse.stream_loops", ["pipelines/parse/stream_loops.pyx"])],
    compiler_directives={"language_level": 3}, quiet=True))
