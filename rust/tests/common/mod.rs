// SPDX-License-Identifier: GPL-2.0

//! A model of the IDR of one IPC type, changed by the kernel's own rules.

#![allow(dead_code)]

use kernel::chid_rules::{decide, Action, ChidError, Id, Layout, Table};
use std::collections::BTreeMap;

/// slot -> (object, sequence number)
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Model(pub BTreeMap<u32, (u32, u32)>);

impl Table for Model {
    fn seq_at(&self, index: u32) -> Option<u32> {
        self.0.get(&index).map(|&(_, seq)| seq)
    }
}

impl Model {
    /// Applies one call as the kernel does, or returns its error.
    pub fn apply(&mut self, l: &Layout, id: i32, newid: i32, flags: u32) -> Result<(), ChidError> {
        let c = decide(self, l, id, newid, flags)?;
        let (obj, _) = self.0[&c.from.index];
        match c.action {
            Action::Keep => {}
            Action::Reseq => {
                self.0.insert(c.from.index, (obj, c.to.seq));
            }
            Action::Move => {
                self.0.remove(&c.from.index);
                self.0.insert(c.to.index, (obj, c.to.seq));
            }
            Action::Exchange => {
                let (other, _) = self.0[&c.to.index];
                self.0.insert(c.to.index, (obj, c.to.seq));
                self.0.insert(c.from.index, (other, c.from.seq));
            }
        }
        Ok(())
    }

    pub fn ids(&self, l: &Layout) -> Vec<i32> {
        self.0
            .iter()
            .map(|(&index, &(_, seq))| l.encode(Id { index, seq }).unwrap())
            .collect()
    }

    pub fn id_of(&self, l: &Layout, obj: u32) -> i32 {
        let (&index, &(_, seq)) = self.0.iter().find(|(_, &(o, _))| o == obj).unwrap();
        l.encode(Id { index, seq }).unwrap()
    }
}
