"""The use cases, platform-neutral: plain inputs in, plain results or domain errors out.

No module here imports a chat platform's SDK; adapters in bot/ translate to and from them.
"""
