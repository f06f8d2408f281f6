"""Mail and lockbox payments: remittance files in, matched items applied, the rest in suspense.

``models`` (files, bank deposits, suspense items), ``bank_file`` (BAI2 through the ``bai2``
package, with control totals checked line by line), ``posting`` (the batched path that
applies and posts many payments exactly as ``receive_payment`` would one by one) and
``importing`` (a file in, and staff work on the suspense queue). The format and the
matching rules are in ``docs/domain/lockbox.md``.
"""
