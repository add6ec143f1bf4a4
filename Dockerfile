# The acsemu image: nothing is built or pulled inside it (no registry is
# needed). `make image` builds the static binary on the host (CGO_ENABLED=0)
# into a context holding only that binary, then builds this file.
FROM scratch
COPY acsemu /acsemu
# Any unprivileged id: the emulator writes no files (fault rules and the like
# are mounted read-only by the user).
USER 65532:65532
# The default command serves on every interface of the container; health,
# contract and the client commands read the same variable.
ENV ACSEMU_ADDR=0.0.0.0:10900
EXPOSE 10900
# A scratch image has no shell or curl: the binary checks itself.
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=3 CMD ["/acsemu", "health", "--timeout", "2s"]
ENTRYPOINT ["/acsemu"]
CMD ["serve"]
