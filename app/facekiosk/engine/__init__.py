"""Face engine: detection, landmarks, pose, quality, liveness, embedding. No Qt here."""
