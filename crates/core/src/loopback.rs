//! A small HTTP/1 server on 127.0.0.1, shared by the credentials endpoint (`serve`) and the
//! sandbox: accept, serve each connection with `handle` on its own task, stop when the returned
//! sender is used or dropped.

use bytes::Bytes;
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
    let (tx, mut rx) = oneshot::channel();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut rx => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let state = state.clone();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req| handle(state.clone(), req));
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                    });
                }
            }
        }
    });
    tx
}
