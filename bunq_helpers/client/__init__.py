"""The client side: settings, the HTTPS transport, one module per handshake step, the API context, display.

From the bottom up (each imports only what is above it in this list, never the local sandbox, except
``connect``, which starts it):

- ``masking``, ``config``, ``endpoint``, ``records``: secrets masked; settings; where requests go;
  what the steps make (installation, device, session);
- ``display``, ``exchange``, ``context_file``, ``context``, ``pinning``: showing an exchange or an
  error; one request/response; reading a context file strictly; the ``ApiContext``, which owns keys
  and tokens; public-key pins;
- ``transport``, ``envelope``: ``BunqClient``; reading bunq's ``{"Response": [...]}`` bodies;
- ``sandbox_user``, ``installation``, ``device_server``, ``session_server``, ``accounts``: the calls;
- ``connect``, ``handshake``, ``notebook``: settings to an endpoint; the steps in order; the
  notebooks' helper.
"""
