"""Event-driven SoC model for AR/VR task graphs (FARSI-compatible)."""
