"""The DAO on the web: the gasless relayer's HTTP API (`relay_app`), the server that runs an app on loopback or
beyond (`server`), and the client the CLI uses to hand signed votes to a remote relayer (`relay_client`). Starlette
and uvicorn come with the `web` extra."""
