"""Rating: tariffs as data, billing determinants, and the engine that prices them.

A :class:`~coopcis.core.rating.tariff.Tariff` is one effective-dated version of a
schedule (parsed from a catalog file); :class:`~coopcis.core.rating.determinants.Determinants`
are what was measured in a billing period; :func:`~coopcis.core.rating.engine.rate_bill`
turns the two into bill lines. Each charge shape lives in its own small module
under ``components/``.
"""
