"""Tests for testtune_executor.assertions: the static count of checks a test file makes."""

from __future__ import annotations

import textwrap

import pytest

from testtune_executor.assertions import count_assertions


def count(text: str) -> int:
    return count_assertions(textwrap.dedent(text))


def test_plain_asserts_in_test_functions_count_one_each() -> None:
    assert count(
        """
        from solution import add

        def test_add():
            assert add(1, 2) == 3
            assert add(0, 0) == 0

        def test_neg():
            assert add(-1, 1) == 0
        """
    ) == 3


def test_a_file_without_checks_counts_zero() -> None:
    assert count(
        """
        from solution import add

        def test_add():
            add(1, 2)
            print(add(1, 2) == 3)
        """
    ) == 0


def test_asserts_outside_tests_do_not_count_unless_a_test_reaches_them() -> None:
    assert count(
        """
        assert True

        def unused_helper(x):
            assert x

        def test_nothing():
            pass
        """
    ) == 0


def test_helpers_called_from_tests_count_once_each_humaneval_style() -> None:
    assert count(
        """
        def check(candidate):
            assert candidate(1) == 2
            assert candidate(2) == 3
            verify(candidate)

        def verify(candidate):
            assert candidate(0) == 1

        def test_check():
            check(lambda x: x + 1)

        def test_check_again():
            check(lambda x: x + 1)
        """
    ) == 3


def test_pytest_raises_and_warns_count_in_both_forms_and_through_aliases() -> None:
    assert count(
        """
        import pytest
        import pytest as pt
        from pytest import raises as r, warns

        def test_errors():
            with pytest.raises(ValueError):
                int("x")
            pytest.raises(ZeroDivisionError, lambda: 1 / 0)
            with pt.warns(UserWarning):
                pass
            with r(KeyError):
                {}["a"]
            with warns(DeprecationWarning):
                pass
            with pytest.deprecated_call():
                pass
        """
    ) == 6


def test_approx_counts_as_part_of_its_assert_and_a_bare_comparison_counts_nothing() -> None:
    assert count(
        """
        import pytest

        def test_float():
            assert 0.1 + 0.2 == pytest.approx(0.3)
            0.1 + 0.2 == pytest.approx(0.3)
        """
    ) == 1


def test_unittest_style_and_mock_and_library_assert_calls_count() -> None:
    assert count(
        """
        import unittest
        from unittest import mock
        from numpy.testing import assert_allclose

        class Adds(unittest.TestCase):
            def setUp(self):
                self.m = mock.Mock()

            def test_add(self):
                self.assertEqual(1 + 1, 2)
                with self.assertRaises(ValueError):
                    int("x")
                self.m()
                self.m.assert_called_once_with()
                assert_allclose([1.0], [1.0])
        """
    ) == 4


def test_test_classes_and_self_helpers_and_fixtures_are_followed() -> None:
    assert count(
        """
        import pytest

        @pytest.fixture
        def data():
            value = [1, 2]
            assert len(value) == 2
            return value

        @pytest.fixture
        def unused():
            assert False

        class TestThing:
            def _check(self, x):
                assert x > 0

            def test_positive(self, data):
                self._check(data[0])

        class Helper:
            def test_not_collected(self):
                assert True
        """
    ) == 2


def test_a_local_assert_helper_is_counted_by_its_asserts_not_its_calls() -> None:
    assert count(
        """
        def assert_sorted(xs):
            assert xs == sorted(xs)

        def test_sorted():
            assert_sorted([1, 2])
            assert_sorted([1, 3])
        """
    ) == 1


def test_invalid_python_raises() -> None:
    with pytest.raises(SyntaxError):
        count_assertions("def test_x(:\n    assert 1\n")
