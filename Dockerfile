# Build: a static binary, no cgo (the SQLite driver is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hagemi . && mkdir -p /out/data

# Run: distroless static as an unprivileged user; /data holds the database
# when CONTEXT_DB_PATH=/data/hagemi.db is set.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hagemi /hagemi
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME ["/data"]
ENV PORT=7860 HOST=0.0.0.0
EXPOSE 7860
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 CMD ["/hagemi", "-healthcheck"]
ENTRYPOINT ["/hagemi"]
