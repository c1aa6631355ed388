"""Factories every test folder shares: valid USCCs, squares, row inserts and zone plumbing.

- :mod:`tests.support.firms`: :func:`~tests.support.firms.uscc`.
- :mod:`tests.support.geometry`: :func:`~tests.support.geometry.square`,
  :func:`~tests.support.geometry.point`, :func:`~tests.support.geometry.ring`, ``ewkt``.
- :mod:`tests.support.rows`: :func:`~tests.support.rows.insert` and one factory per table.
- :mod:`tests.support.zones`: an isolated area, tokens for a zone's users, deletes by id.

Import from the module (``from tests.support.rows import insert``), never from a test module
or a conftest.
"""
