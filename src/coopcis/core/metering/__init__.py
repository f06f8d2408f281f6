"""Meter reads in the pure core: register arithmetic, validation (VEE) and estimation rules.

Plain dataclasses in, findings and estimates out; the metering app stores and queues them.
"""
