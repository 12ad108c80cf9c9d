"""The tests a file must produce results for, read statically (testtune_executor.expected)."""

import ast

from testtune_executor.expected import expected_tests, missing_tests, function_of_nodeid


def expect(source: str) -> set:
    return expected_tests(ast.parse(source))


def test_module_functions_and_test_class_methods_are_expected():
    source = """
import pytest

def test_a(): pass
async def test_async(): pass
def helper(): pass

@pytest.mark.parametrize("x", [1, 2])
def test_param(x): pass

class TestThing:
    def test_m(self): pass
    def helper(self): pass
"""
    assert expect(source) == {(None, "test_a"), (None, "test_async"), (None, "test_param"), ("TestThing", "test_m")}


def test_rebound_deleted_or_decorated_tests_are_not_expected():
    source = """
import functools

def test_rebound(): pass
test_rebound = None

def test_deleted(): pass
del test_deleted

@functools.lru_cache
def test_decorated(): pass

def test_twice(): pass
def test_twice(): pass
"""
    assert expect(source) == {(None, "test_twice")}


def test_classes_pytest_would_not_collect_are_not_expected():
    source = """
import unittest

class TestWithInit:
    def __init__(self): pass
    def test_a(self): pass

class TestDisabled:
    __test__ = False
    def test_b(self): pass

class TestWithBase(unittest.TestCase):
    def test_c(self): pass

class Helper:
    def test_d(self): pass
"""
    assert expect(source) == set()


def test_a_module_with_dynamic_collection_expects_nothing():
    assert expect("def test_a(): pass\ndef pytest_generate_tests(metafunc): pass\n") == set()
    assert expect("__test__ = False\ndef test_a(): pass\n") == set()


def test_node_ids_map_back_to_functions():
    assert function_of_nodeid("test_x.py::test_a[1-2]") == (None, "test_a")
    assert function_of_nodeid("test_x.py::TestK::test_b") == ("TestK", "test_b")
    assert function_of_nodeid("test_x.py") is None


def test_missing_tests_names_the_ones_without_an_item():
    expected = {(None, "test_a"), ("TestK", "test_b"), (None, "test_c")}
    collected = ["test_x.py::test_a[1]", "test_x.py::test_a[2]", "test_x.py::TestK::test_b"]
    assert missing_tests(expected, collected) == ["test_c"]
