using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Gantry.Git.Testing;

/// <summary>
/// A smart HTTP Git server on loopback: nginx (as the current user, all paths in a temp folder) with basic
/// auth in front of fcgiwrap running <c>git http-backend</c>, serving the bare repositories in <see cref="RepositoriesPath"/>.
/// Processes are stopped by id on dispose.
/// </summary>
public sealed class GitHttpServer : IDisposable
{
    public const string User = "gantry";

    private readonly TempFolder _folder = new("gantry-http");
    private readonly List<Process> _processes = [];
    private readonly string _config;
    private Process? _nginx;

    public GitHttpServer()
    {
        Password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        RepositoriesPath = _folder.Combine("repos");
        Directory.CreateDirectory(RepositoriesPath);
        foreach (var dir in new[] { "tmp", "logs" })
        {
            Directory.CreateDirectory(_folder.Combine(dir));
        }

        SetPassword(Password);
        var socket = _folder.Combine("fcgiwrap.sock");
        Start("fcgiwrap", "-c", "4", "-s", "unix:" + socket);
        WaitFor(() => File.Exists(socket), "fcgiwrap socket");

        Port = FreePort();
        _config = _folder.Combine("nginx.conf");
        File.WriteAllText(_config, NginxConfig(socket));
        StartHttp();
    }

    /// <summary>Stops nginx (its process tree, by id): the remote refuses connections until <see cref="StartHttp"/>.</summary>
    public void StopHttp()
    {
        if (_nginx is { HasExited: false } nginx)
        {
            nginx.Kill(entireProcessTree: true);
            nginx.WaitForExit(10_000);
            _processes.Remove(nginx);
            nginx.Dispose();
            _nginx = null;
        }

        WaitFor(() => !Listening(), "nginx to stop on port " + Port, watchProcesses: false);
    }

    /// <summary>Starts nginx on the same port and configuration.</summary>
    public void StartHttp()
    {
        _nginx = Start("nginx", "-c", _config, "-p", _folder.Path, "-g", "daemon off;");
        WaitFor(Listening, "nginx on port " + Port);
    }

    public int Port { get; }

    public string Password { get; private set; }

    public string RepositoriesPath { get; }

    /// <summary>The URL of repository <paramref name="name"/> (without credentials).</summary>
    public string Url(string name) => $"http://127.0.0.1:{Port}/{name}";

    /// <summary>A URL with the credentials in it, for the git CLI.</summary>
    public string UrlWithCredentials(string name) => $"http://{User}:{Password}@127.0.0.1:{Port}/{name}";

    /// <summary>Creates an empty bare repository <paramref name="name"/> and returns its folder.</summary>
    public string CreateRepository(string name, string branch = "main")
    {
        var path = Path.Combine(RepositoriesPath, name);
        GitCli.InitBare(path, branch);
        return path;
    }

    /// <summary>Changes the password nginx accepts (nginx reads the file on every request).</summary>
    public void SetPassword(string password)
    {
        Password = password;
        var hash = Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(password)));
        File.WriteAllText(_folder.Combine("htpasswd"), $"{User}:{{SHA}}{hash}\n");
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        _folder.Dispose();
    }

    private string NginxConfig(string socket)
    {
        var root = _folder.Path;
        var user = Environment.UserName == "root" ? "user root root;" : "";
        var backend = File.Exists("/usr/lib/git-core/git-http-backend") ? "/usr/lib/git-core/git-http-backend" : "/usr/libexec/git-core/git-http-backend";
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}
            worker_processes 1;
            pid {{root}}/nginx.pid;
            error_log {{root}}/logs/error.log warn;
            events { worker_connections 512; }
            http {
              access_log off;
              client_body_temp_path {{root}}/tmp/body;
              fastcgi_temp_path {{root}}/tmp/fastcgi;
              proxy_temp_path {{root}}/tmp/proxy;
              uwsgi_temp_path {{root}}/tmp/uwsgi;
              scgi_temp_path {{root}}/tmp/scgi;
              client_max_body_size 0;
              server {
                listen 127.0.0.1:{{Port}};
                location / {
                  auth_basic "git";
                  auth_basic_user_file {{root}}/htpasswd;
                  fastcgi_pass unix:{{socket}};
                  fastcgi_read_timeout 300s;
                  fastcgi_param SCRIPT_FILENAME {{backend}};
                  fastcgi_param GIT_PROJECT_ROOT {{RepositoriesPath}};
                  fastcgi_param GIT_HTTP_EXPORT_ALL "";
                  fastcgi_param REMOTE_USER $remote_user;
                  fastcgi_param PATH_INFO $uri;
                  fastcgi_param QUERY_STRING $args;
                  fastcgi_param REQUEST_METHOD $request_method;
                  fastcgi_param CONTENT_TYPE $content_type;
                  fastcgi_param CONTENT_LENGTH $content_length;
                  fastcgi_param HTTP_CONTENT_ENCODING $http_content_encoding;
                  fastcgi_param GIT_CONFIG_NOSYSTEM 1;
                  fastcgi_param HOME {{root}};
                }
              }
            }
            """);
    }

    private Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/" + program) ? "/usr/sbin/" + program : program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start " + program);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private bool Listening()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void WaitFor(Func<bool> ready, string what, bool watchProcesses = true)
    {
        var deadline = Stopwatch.StartNew();
        while (!ready())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(15) || (watchProcesses && _processes.Any(p => p.HasExited)))
            {
                var log = _folder.Combine("logs", "error.log");
                var detail = File.Exists(log) ? File.ReadAllText(log) : "";
                Dispose();
                throw new InvalidOperationException($"Timed out waiting for {what}. {detail}");
            }

            Thread.Sleep(20);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
