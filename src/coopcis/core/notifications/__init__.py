"""Notifications to members: which channel a message goes by, the keywords a member texts
back (STOP, START, HELP), and the signature an SMS provider puts on what it forwards.

Pure rules, no Django: ``coopcis.apps.notify`` stores the preferences and sends.
"""
