"""Staff roles are Django groups (see ``roles.py``); this app keeps no tables of its own."""
