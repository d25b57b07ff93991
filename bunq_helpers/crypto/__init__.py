"""The pure part both sides share: RSA keys, bunq's body signatures, and writing secret files safely.

Nothing here speaks HTTP, parses bunq's answers or shows anything; it imports nothing of the package
but itself and ``bunq_helpers.errors``. The client (``bunq_helpers.client``) and the local sandbox
(``bunq_helpers.local_sandbox``) each build their own HTTP on top of it.
"""
