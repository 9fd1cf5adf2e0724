# The app as a container image on the Functions base image, for Kubernetes (deploy/kubernetes/) or
# any container host; docs/deployment.md "Container image" says why a Dockerfile and what was not run.
#   docker build -t functionsapp .
# Built from the repository root: the app needs global.json, the Directory.*.props, nuget.config
# and host.json from there.

# Publish exactly as `azd deploy` does (a Release publish: ReadyToRun for linux-x64, framework-
# dependent; FunctionsApp.csproj), with the lock files enforced as on CI, by the SDK global.json names.
FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS publish
WORKDIR /src
COPY global.json nuget.config Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig host.json ./
COPY FunctionsApp/ FunctionsApp/
RUN dotnet publish FunctionsApp/FunctionsApp.csproj -c Release -p:RestoreLockedMode=true -o /home/site/wwwroot

# The Functions host for .NET isolated workers runs whatever is in /home/site/wwwroot.
FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0
# Port 8080, not the image's 80: the host runs as the image's non-root user `app` (it owns /home,
# where the host writes), and only root may listen below 1024. Console logs for `kubectl logs`.
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    ASPNETCORE_URLS=http://+:8080
# Owned by root and only readable by `app`: the running app cannot change its own code.
COPY --from=publish /home/site/wwwroot /home/site/wwwroot
USER app
EXPOSE 8080
