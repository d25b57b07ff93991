"""The client side: settings, the HTTPS transport, one module per handshake step, the API context, display."""
