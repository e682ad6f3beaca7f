//! A small HTTP/1 server on 127.0.0.1, shared by the credentials endpoint (`serve`) and the
//! sandbox: accept, serve each connection with `handle` on its own task, stop when the returned
//! sender is used or dropped. Any local user can connect, so connections are held only under
//! the rules of `conns` (deadlines, a cap, back-off when out of descriptors).

pub mod conns;

use bytes::Bytes;
use conns::{Registry, Watched};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Serve `listener` with `handle` until the returned sender fires (or is dropped).
pub fn serve<S, F, Fut, E>(listener: TcpListener, state: Arc<S>, handle: F) -> oneshot::Sender<()>
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, Request<Incoming>) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Result<Response<Full<Bytes>>, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let (tx, rx) = oneshot::channel();
    let registry = Registry::new(conns::connection_cap());
    tokio::spawn(conns::accept_loop(
        listener,
        registry,
        async move {
            let _ = rx.await;
        },
        move |stream, admitted| {
            let state = state.clone();
            tokio::spawn(async move {
                let slot = admitted.slot.clone();
                let svc = service_fn(move |req| {
                    let busy = slot.busy();
                    let answer = handle(state.clone(), req);
                    async move {
                        let r = answer.await;
                        drop(busy);
                        r
                    }
                });
                let io = TokioIo::new(Watched::new(stream, admitted.slot.clone()));
                let conn = http1::Builder::new().serve_connection(io, svc);
                tokio::select! {
                    _ = conn => {}
                    _ = admitted.slot.ended() => {}
                }
                drop(admitted);
            });
        },
    ));
    tx
}
