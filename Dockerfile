# Gantry's image: the same server executable people run locally, with `serve` as the default command.
#   docker build -t gantry .
#   docker run -p 8080:8080 -v gantry-data:/data gantry                 # serve
#   docker run -v gantry-data:/data gantry migrate                       # the init container
#   docker run gantry check --deploy                                     # the production checklist
# tests/Gantry.Server.Tests/Deployment/ContainerEntryPointTests.cs runs the published output the way ENTRYPOINT and
# CMD below say; keep both in the JSON (exec) form, which that test reads.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so that a source change does not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Gantry.Core/Gantry.Core.csproj src/Gantry.Core/
COPY src/Gantry.Data/Gantry.Data.csproj src/Gantry.Data/
COPY src/Gantry.Buckets/Gantry.Buckets.csproj src/Gantry.Buckets/
COPY src/Gantry.Registries/Gantry.Registries.csproj src/Gantry.Registries/
COPY src/Gantry.Git/Gantry.Git.csproj src/Gantry.Git/
COPY src/Gantry.Sealing/Gantry.Sealing.csproj src/Gantry.Sealing/
COPY src/Gantry.Server/Gantry.Server.csproj src/Gantry.Server/
RUN dotnet restore src/Gantry.Server/Gantry.Server.csproj
COPY src/ src/
COPY examples/catalog/ examples/catalog/
COPY examples/services/ examples/services/
RUN dotnet publish src/Gantry.Server/Gantry.Server.csproj -c Release --no-restore -o /app -p:UseAppHost=false

# The ASP.NET runtime only: no SDK, no compiler, no package caches, no source. Debian-based rather than chiseled
# because LibGit2Sharp's native libgit2 is built against glibc and its usual shared libraries.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The data folder is the one writable place (a volume); the rest of the root filesystem can be mounted read-only.
RUN mkdir /data && chown "$APP_UID" /data
VOLUME /data
ENV Gantry__DataDir=/data \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_NOLOGO=1
EXPOSE 8080
# The non-root user the .NET images define (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/Gantry.Server.dll"]
CMD ["serve"]
