"""The integrator REST API (FACEIO's shape: status, deletefacialid, payloads, PINs, lists,
attendance, appstats), served by uvicorn in the process that holds the vault."""
