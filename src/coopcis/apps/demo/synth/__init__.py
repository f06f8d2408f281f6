"""Pure generation of the demo co-op: no Django, no clock, no I/O.

Everything here is a function of its arguments (a seed, a member count, dates), so
the same arguments give the same co-op. ``population`` plans the master data as plain
records that refer to each other by position; ``timeline``, ``weather`` and ``loads``
turn the plan's meters into 15-minute energy and monthly register reads with numpy.
The Django side (``coopcis.apps.demo.loader``) only stores what these modules return.
"""
