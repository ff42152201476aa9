//! The HTTP server only: the [`Core`], the HTTP-only state (API key cache, look-up
//! pacing, trusted proxies, password and upload slots), routes and middleware, a bound
//! listener and a running actix server. Tests start the real application exactly this
//! way, on port 0. Nothing else imports this module.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, App, HttpMessage, HttpServer};
use tracing_actix_web::{RequestId, TracingLogger};

use crate::api;
use crate::api::state::AppState;
use crate::config::Settings;
use crate::core::{Clock, Core, StartError, SystemClock};
use crate::telemetry::RequestSpan;

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        Application::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Application, StartError> {
        let core = Arc::new(Core::build(settings, clock).await?);
        let state = web::Data::new(AppState::new(core.clone())?);
        let addr = state.settings.server.bind.clone();
        let listener = TcpListener::bind(&addr).map_err(|source| StartError::Bind {
            addr: addr.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?
            .port();
        let workers = match state.settings.server.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            let metrics_state = app_state.clone();
            App::new()
                .app_data(app_state.clone())
                .app_data(web::QueryConfig::default().error_handler(api::problem::query_error))
                .app_data(web::PathConfig::default().error_handler(api::problem::path_error))
                .wrap_fn(move |req, srv| {
                    let started = Instant::now();
                    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
                    let method = crate::metrics::method_label(req.method());
                    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                    let state = metrics_state.clone();
                    let fut = srv.call(req);
                    async move {
                        let mut res = fut.await?;
                        crate::web::secure_headers(res.headers_mut());
                        state.metrics.observe(
                            &route,
                            method,
                            res.status().as_u16(),
                            started.elapsed(),
                        );
                        if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok())
                        {
                            res.headers_mut()
                                .insert(HeaderName::from_static("x-request-id"), id);
                        }
                        Ok(res)
                    }
                })
                .wrap(TracingLogger::<RequestSpan>::new())
                .configure(api::configure)
                .configure(crate::web::configure)
                .default_service(web::to(crate::web::no_such_page))
        })
        .workers(workers)
        .listen(listener)
        .map_err(|source| StartError::Bind {
            addr: format!("port {port}"),
            source,
        })?
        .run();
        crate::core::spawn_workers(&core, port);
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
